from django.core.management.base import BaseCommand

from talat.registry import demo


class Command(BaseCommand):
    help = "Loads the Thai demo data set (deterministic; a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2569)

    def handle(self, *args, seed, **options):
        counts = demo.load(seed=seed)
        self.stdout.write(
            "Demo data: {enterprises} enterprises in {provinces} provinces, {agencies} agencies, "
            "{partners} partners.".format(**counts)
        )
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for email, _name, role, _place in demo.LOGINS:
            self.stdout.write(f"  {role:<18} {email}")
