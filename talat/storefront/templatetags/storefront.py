from urllib.parse import urlencode

from django import template

from talat.storefront import cart

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_count(context) -> int:
    request = context.get("request")
    return cart.count(request.session) if request is not None else 0


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current search parameters with some changed (empty removes), as a query string."""
    params = {
        k: v
        for k, v in context["params"].items()
        if k in ("q", "category", "province", "price", "cert") and v
    }
    for key, value in changes.items():
        if value in ("", None):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(params)
