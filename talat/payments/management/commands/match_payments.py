"""`manage.py match_payments` matches the bank notifications waiting in the inbox: for a scheduler,
so a notification recorded just before a worker stopped is not left waiting for the next one."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from talat.payments.services import match_received


class Command(BaseCommand):
    help = "Matches the bank notifications waiting in the inbox to their checkouts."

    def handle(self, *args, **options):
        matched = match_received()
        self.stdout.write(_("จับคู่รายการโอนเงิน %(count)s รายการ") % {"count": matched})
