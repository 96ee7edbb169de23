"""Checks shared by the governance pages."""

from django.core.exceptions import PermissionDenied


def require_officer(request) -> None:
    if not (request.user.is_agency_officer or request.user.is_platform_admin):
        raise PermissionDenied
