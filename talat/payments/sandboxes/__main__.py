"""`python -m talat.payments.sandboxes bank --port N`: serves the bank sandbox with its demo secret,
notifying Talat's callback URL (what `make demo` runs)."""

import argparse

from talat.channels.sandboxes.server import serve_forever
from talat.payments.sandboxes import bank

APPS = {"bank": bank.make_demo_app}

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("partner", choices=sorted(APPS))
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8604)
arguments = parser.parse_args()
app = APPS[arguments.partner]()
print(
    f"Bank sandbox on http://{arguments.host}:{arguments.port} (pay page /pay?qr=..., "
    f"notifying {app.callback_url})",
    flush=True,
)
serve_forever(app, arguments.host, arguments.port)
