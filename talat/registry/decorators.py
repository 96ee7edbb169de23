"""Page decorators shared by the seller's pages of every domain app."""

import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from talat.registry.selectors import enterprise_of


def seller_required(view):
    """Signed-in owner or staff of an enterprise; sets `request.enterprise`. A user without an
    enterprise is sent to register one."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        enterprise = enterprise_of(request.user)
        if enterprise is None:
            return redirect("registry:onboarding")
        request.enterprise = enterprise
        return view(request, *args, **kwargs)

    return wrapped
