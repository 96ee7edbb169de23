"""The API's building blocks shared by every router: authentication, scopes, the error
body `{"error": code, "detail": ...}` and pagination."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase
from ninja.security import HttpBearer, SessionAuth


class ApiError(HttpError):
    """An API failure with a stable machine-readable code and a human-readable detail."""

    def __init__(self, status_code: int, code: str, detail: Any = None):
        super().__init__(status_code, str(detail or code))
        self.code = code
        self.detail = detail if detail is not None else code


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer tlt_...` for partners. The key resolver is injected by the API
    root so the kernel does not depend on the accounts app."""

    openapi_scheme = "bearer"

    def __init__(self, resolve):
        super().__init__()
        self.resolve = resolve

    def authenticate(self, request, token):
        key = self.resolve(token)
        if key is None:
            return None
        request.api_key = key
        request.user = key.user
        return key


class SessionUserAuth(SessionAuth):
    """The signed-in page user; unsafe methods need the CSRF token as pages do."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user:
            request.api_key = None
        return user


def require_scope(request, scope: str) -> None:
    """A partner's key must carry `scope`; a signed-in user is checked by the service."""
    key = getattr(request, "api_key", None)
    if key is not None and scope not in key.scopes:
        raise ApiError(403, "insufficient_scope", _("กุญแจ API นี้ไม่มีสิทธิ์ %(scope)s") % {"scope": scope})


class Page(PaginationBase):
    """`?page=1&page_size=20` → {"items": [...], "count": N, "page": 1, "pages": P, "page_size": 20}."""

    class Input(Schema):
        page: int = Field(1, ge=1)
        page_size: int = Field(20, ge=1, le=100)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        pages: int
        page_size: int

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        count = queryset.count()
        start = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[start : start + pagination.page_size]),
            "count": count,
            "page": pagination.page,
            "pages": max(1, -(-count // pagination.page_size)),
            "page_size": pagination.page_size,
        }


__all__ = ["ApiError", "ApiKeyAuth", "Page", "PermissionDenied", "SessionUserAuth", "require_scope"]
