"""`python -m talat.customs.sandboxes customs --port N`: serves the customs sandbox with its demo
client id and secret, notifying Talat's callback URL (what `make demo` runs)."""

import argparse

from talat.channels.sandboxes.server import serve_forever
from talat.customs.sandboxes import customs

APPS = {"customs": customs.make_demo_app}

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("partner", choices=sorted(APPS))
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8607)
arguments = parser.parse_args()
app = APPS[arguments.partner]()
print(
    f"Customs sandbox on http://{arguments.host}:{arguments.port} (client {app.client_id}, "
    f"notifying {app.callback_url or 'nobody'})",
    flush=True,
)
serve_forever(app, arguments.host, arguments.port)
