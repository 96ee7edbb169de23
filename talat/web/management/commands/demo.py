"""`manage.py demo`: prepares the database and runs the web server and the task worker
until Ctrl-C, then stops both."""

import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrates, loads the demo data, then runs the web server and the task worker until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args, bind, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("load_demo", stdout=self.stdout)
        commands = {
            "web": [sys.executable, "-m", "gunicorn", "talat.wsgi", "--bind", bind, "--workers", "2",
                    "--access-logfile", "-", "--graceful-timeout", "5"],
            "worker": [sys.executable, "manage.py", "db_worker", "--interval", "0.5"],
        }  # fmt: skip
        # A fixed argv, not user input.
        children = {name: subprocess.Popen(cmd, env=os.environ.copy()) for name, cmd in commands.items()}  # noqa: S603
        self.stdout.write(self.style.SUCCESS(f"Talat is running on http://{bind}/ — press Ctrl-C to stop."))
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
            self.stdout.write("Stopped the web server and the task worker.")
