"""`manage.py demo`: prepares the database and runs the web server, the task worker, the marketplace
sandboxes (Lazada, Tmall Global, Alibaba.com on loopback), the bank sandbox that pays PromptPay QR
codes, and the channel poller until Ctrl-C, then stops them all."""

import os
import signal
import socket
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from talat.channels import demo as channels_demo

SANDBOX_PORTS = {
    "lazada": 8601, "tmall-global": 8602, "alibaba": 8603, "bank": 8604,
    "hub": 8605, "carrier": 8606, "customs": 8607,
}  # fmt: skip
SANDBOX_MODULES = {
    "bank": "talat.payments.sandboxes",
    "hub": "talat.logistics.sandboxes",
    "carrier": "talat.logistics.sandboxes",
    "customs": "talat.customs.sandboxes",
}


class Command(BaseCommand):
    help = "Migrates, loads the demo data, then runs the web server and the task worker until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args, bind, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("load_demo", stdout=self.stdout)
        sandboxes = {
            code: [
                sys.executable,
                "-m",
                SANDBOX_MODULES.get(code, "talat.channels.sandboxes"),
                code,
                "--port",
                str(port),
            ]
            for code, port in SANDBOX_PORTS.items()
        }
        # The bank tells Talat of payments at its notification endpoint.
        # The bank, the logistics partners and Customs tell Talat what happened at these endpoints.
        environment = {
            **os.environ,
            "TALAT_BANK_CALLBACK_URL": f"http://{bind}/payments/bank/notify",
            "TALAT_HUB_WEBHOOK_URL": f"http://{bind}/logistics/hub/notify",
            "TALAT_CARRIER_WEBHOOK_URL": f"http://{bind}/logistics/carrier/notify",
            "TALAT_CUSTOMS_CALLBACK_URL": f"http://{bind}/hub/customs/notify",
        }
        # Fixed argvs, not user input.
        children = {name: subprocess.Popen(cmd, env=environment) for name, cmd in sandboxes.items()}  # noqa: S603
        self._wait_for_sandboxes()
        for line in channels_demo.connect(site_url=f"http://{bind}"):
            self.stdout.write(f"  connected the demo shop to {line}")
        commands = {
            "web": [sys.executable, "-m", "gunicorn", "talat.wsgi", "--bind", bind, "--workers", "2",
                    "--access-logfile", "-", "--graceful-timeout", "5"],
            "worker": [sys.executable, "manage.py", "db_worker", "--interval", "0.5"],
            "poller": [sys.executable, "manage.py", "poll_channels", "--every", "10"],
        }  # fmt: skip
        for name, cmd in commands.items():
            children[name] = subprocess.Popen(cmd, env=os.environ.copy())  # noqa: S603
        self.stdout.write(self.style.SUCCESS(f"Talat is running on http://{bind}/ — press Ctrl-C to stop."))
        self.stdout.write(
            "Marketplace sandboxes place a demo order every 20-25 seconds; see /seller/orders/. Storefront "
            "buyers pay with the bank sandbox (the link under the PromptPay QR)."
        )
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(
                            f"{name} stopped with exit code {child.returncode}; stopping Talat."
                        )
                        stopping = True
                time.sleep(0.5)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            for child in children.values():
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
            self.stdout.write("Stopped the web server, the task worker, the poller and the sandboxes.")

    def _wait_for_sandboxes(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        for port in SANDBOX_PORTS.values():
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
