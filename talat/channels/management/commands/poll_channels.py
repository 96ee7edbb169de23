"""`manage.py poll_channels`: every few seconds, cancels storefront orders left unpaid too long
(their stock comes back), sends stock and prices that changed to the marketplaces, pulls new
orders from each connected account and runs channel jobs whose retry time has come."""

import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from talat.channels import services
from talat.channels.models import ChannelAccount, ChannelJob, JobKind, JobState
from talat.orders import services as orders

OVERLAP = timedelta(seconds=30)


class Command(BaseCommand):
    help = "Pulls marketplace orders and runs due channel jobs, every --every seconds (or --once)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=15.0)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, every, once, **options):
        # Start a little in the past and overlap each round: a change committed while the poller
        # was down, or just after a round looked, is still sent (sending twice is harmless).
        since = timezone.now() - timedelta(minutes=10)
        while True:
            started = timezone.now()
            freed = orders.expire_unpaid(
                older_than=started - timedelta(minutes=settings.TALAT_UNPAID_ORDER_MINUTES)
            )
            if freed:
                services.stock_changed(freed)
            services.sync_changed_stock(since=since)
            since = started - OVERLAP
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
