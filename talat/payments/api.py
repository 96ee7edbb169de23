"""/api/v1/orders/{id}/payment: the PromptPay payment an order waits for (or was paid by). The
order's id is its public UUID, which only the buyer (from their order page) and the seller hold,
so the answer is open to whoever presents it, like the buyer's page itself."""

from datetime import datetime
from uuid import UUID

from ninja import Router, Schema

from talat.core.api import ApiError
from talat.orders.models import Order

router = Router(tags=["payments"])


class PaymentOut(Schema):
    order_id: UUID
    order_number: str
    order_status: str
    method: str
    status: str
    amount_satang: int
    currency: str
    payload: str
    reference_1: str
    reference_2: str
    paid_at: datetime | None
    qr_svg: str
    qr_png: str


@router.get("/orders/{order_id}/payment", response=PaymentOut, auth=None, url_name="order_payment")
def order_payment(request, order_id: UUID):
    order = Order.objects.filter(uid=order_id, channel="storefront").first()
    payment = order.payment_requests.first() if order else None
    if payment is None:
        raise ApiError(404, "not_found", "no PromptPay payment for this order")
    return {
        "order_id": order.uid,
        "order_number": order.channel_order_number,
        "order_status": order.status,
        "method": "promptpay_bill_payment",
        "status": payment.status,
        "amount_satang": payment.amount_minor,
        "currency": "THB",
        "payload": payment.payload,
        "reference_1": payment.reference_1,
        "reference_2": payment.reference_2,
        "paid_at": payment.paid_at,
        "qr_svg": request.build_absolute_uri(f"/store/pay/{payment.uid}/qr.svg"),
        "qr_png": request.build_absolute_uri(f"/store/pay/{payment.uid}/qr.png"),
    }
