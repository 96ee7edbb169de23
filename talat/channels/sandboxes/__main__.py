"""`python -m talat.channels.sandboxes lazada|tmall-global|alibaba --port N`: serves one partner
sandbox with its demo keys (what `make demo` runs)."""

import argparse

from talat.channels.sandboxes import alibaba, lazada
from talat.channels.sandboxes.server import serve_forever

APPS = {
    "lazada": lazada.make_demo_app,
    "tmall-global": lambda: alibaba.make_demo_app("tmall-global"),
    "alibaba": lambda: alibaba.make_demo_app("alibaba"),
}

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("partner", choices=sorted(APPS))
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
arguments = parser.parse_args()
serve_forever(APPS[arguments.partner](), arguments.host, arguments.port)
