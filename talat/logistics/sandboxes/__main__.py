"""`python -m talat.logistics.sandboxes hub|carrier --port N`: serves the cross-border hub or the
domestic carrier sandbox with its demo keys, pushing tracking events to Talat's webhook URL (what
`make demo` runs). Configured by TALAT_HUB_* / TALAT_CARRIER_* (see each module's make_demo_app)."""

import argparse

from talat.channels.sandboxes.server import serve_forever
from talat.logistics.sandboxes import carrier, hub

APPS = {"hub": hub.make_demo_app, "carrier": carrier.make_demo_app}

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("partner", choices=sorted(APPS))
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
arguments = parser.parse_args()
app = APPS[arguments.partner]()
print(
    f"Logistics {arguments.partner} sandbox on http://{arguments.host}:{arguments.port} "
    f"(pushing to {app.webhook_url})",
    flush=True,
)
serve_forever(app, arguments.host, arguments.port)
