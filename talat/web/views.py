"""The shell's own pages: home, the signed-in landing page and the health check."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

from talat.accounts.models import Role
from talat.registry import selectors


def home(request):
    return render(request, "web/home.html")


@login_required
def dashboard(request):
    user = request.user
    if user.role == Role.SME_OWNER:
        return redirect("registry:status" if user.owned_enterprises.exists() else "registry:onboarding")
    if user.role == Role.AGENCY_OFFICER:
        return redirect("registry:queue")
    context = {"agency": selectors.agency_of(user)}
    return render(request, "web/dashboard.html", context)


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def product_media(request, path):
    """Product pictures (public); nothing else under MEDIA_ROOT is served. Production puts a web
    server or CDN in front of this."""
    return serve(request, path, document_root=settings.MEDIA_ROOT / "products")


def forbidden(request, exception=None):
    return render(request, "web/403.html", status=403)


def not_found(request, exception=None):
    return render(request, "web/404.html", status=404)
