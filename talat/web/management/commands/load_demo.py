from django.core.management.base import BaseCommand

from talat.catalog import demo as catalog_demo
from talat.channels import demo as channels_demo
from talat.governance import demo as governance_demo
from talat.logistics import demo as logistics_demo
from talat.registry import demo as registry_demo


class Command(BaseCommand):
    help = "Loads the Thai demo data set (deterministic; a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2569)

    def handle(self, *args, seed, **options):
        counts = registry_demo.load(seed=seed)
        counts.update(governance_demo.load())
        counts.update(catalog_demo.load())
        counts.update(channels_demo.load())
        counts.update(logistics_demo.load())
        self.stdout.write(
            "Demo data: {enterprises} enterprises in {provinces} provinces, {agencies} agencies, "
            "{partners} partners, {agreements} data-sharing agreements, {disclosures} disclosures, "
            "{products} products.".format(**counts)
        )
        self.stdout.write(f"Demo logins (password for all: {registry_demo.DEMO_PASSWORD}):")
        for email, _name, role, _place in registry_demo.LOGINS:
            self.stdout.write(f"  {role:<18} {email}")
