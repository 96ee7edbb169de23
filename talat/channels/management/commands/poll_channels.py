"""`manage.py poll_channels`: every few seconds, sends stock that moved to the marketplaces, pulls
new orders from each connected account and runs channel jobs whose retry time has come."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from talat.channels import services
from talat.channels.models import ChannelAccount, ChannelJob, JobKind, JobState


class Command(BaseCommand):
    help = "Pulls marketplace orders and runs due channel jobs, every --every seconds (or --once)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=15.0)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, every, once, **options):
        since = timezone.now()
        while True:
            started = timezone.now()
            services.sync_changed_stock(since=since)
            since = started
            for account in ChannelAccount.objects.filter(active=True):
                waiting = ChannelJob.objects.filter(
                    account=account, kind=JobKind.PULL_ORDERS, state__in=[JobState.QUEUED, JobState.RETRYING]
                )
                if not waiting.exists():
                    services.pull_orders(account=account)
            services.run_due_jobs()
            if once:
                return
            time.sleep(every)
