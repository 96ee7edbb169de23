"""`manage.py promptpay 081-234-5678 125.50 --png qr.png` prints a PromptPay payload and draws it."""

from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from talat.payments import qr
from talat.payments.promptpay import InvalidPayload, credit_transfer


def amount_to_satang(text: str) -> int:
    """ "125.50" or "1,250" baht -> satang, through Decimal; at most 2 decimals."""
    try:
        amount = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or (amount * 100) % 1 != 0:
        raise CommandError(_("จำนวนเงินต้องเป็นตัวเลขในหน่วยบาท ทศนิยมไม่เกิน 2 ตำแหน่ง เช่น 125.50"))
    return int(amount * 100)


class Command(BaseCommand):
    help = (
        "Prints the PromptPay QR payload for a mobile number, national/tax ID or e-wallet ID, and draws it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "promptpay_id", help="08x-xxx-xxxx, +668xxxxxxxx, a 13-digit ID or a 15-digit e-wallet"
        )
        parser.add_argument(
            "amount", nargs="?", help="amount in baht, e.g. 125.50 (none: the payer types it)"
        )
        parser.add_argument("--png", metavar="FILE", help="also write the QR card as a PNG image")
        parser.add_argument("--svg", metavar="FILE", help="also write the QR card as an SVG image")
        parser.add_argument("--payee", default="", help="name printed under the QR code")
        parser.add_argument("--scale", type=int, default=6, help="PNG pixels per QR module (default 6)")

    def handle(self, *args, promptpay_id, amount, png, svg, payee, scale, **options):
        if not 1 <= scale <= 40:
            raise CommandError(_("ขนาดภาพ (--scale) ต้องอยู่ระหว่าง 1 ถึง 40"))
        satang = amount_to_satang(amount) if amount is not None else None
        try:
            payload = credit_transfer(promptpay_id=promptpay_id, amount_satang=satang)
        except InvalidPayload as error:
            raise CommandError(str(error)) from error
        self.stdout.write(payload)
        images = []
        if png:
            images.append((png, qr.png(payload, payee=payee, amount_satang=satang, scale=scale)))
        if svg:
            images.append((svg, qr.svg(payload, payee=payee, amount_satang=satang).encode()))
        for path, content in images:
            try:
                with open(path, "wb") as handle:
                    handle.write(content)
            except OSError as error:
                raise CommandError(
                    _("เขียนไฟล์ %(path)s ไม่ได้: %(reason)s") % {"path": path, "reason": error.strerror}
                ) from error
            self.stderr.write(_("บันทึกภาพ QR ที่ %(path)s แล้ว") % {"path": path}, style_func=str)
