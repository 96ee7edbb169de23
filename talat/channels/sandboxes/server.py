"""Runs a partner sandbox (a WSGI app) on loopback: in a thread for tests, or as a process for
`make demo` (`python -m talat.channels.sandboxes <name> --port N`)."""

import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Running:
    """A sandbox serving in a background thread; `url` is its base address."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        self.app = app
        self.server = make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def serve_forever(app, host: str, port: int) -> None:
    server = make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    server.serve_forever()
