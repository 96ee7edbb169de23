"""The JSON API at /api/v1/: each app's router mounted on one NinjaAPI, with one error body
`{"error": code, "detail": ...}` for every 4xx. OpenAPI docs at /api/docs."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from talat.accounts.services import authenticate_api_key
from talat.catalog.api import router as catalog_router
from talat.core.api import ApiError, ApiKeyAuth, SessionUserAuth
from talat.customs.api import router as customs_router
from talat.governance.api import audit_router, oia_router, requests_router, sharing_router
from talat.payments.api import router as payments_router
from talat.registry.api import router as registry_router

api = NinjaAPI(
    title="Talat API",
    version="1",
    description="Talat's open API for partners and startups. Authenticate with a partner API key "
    "(`Authorization: Bearer tlt_...`) or a signed-in session.",
    urls_namespace="api",
    docs_url="/docs",
    auth=[ApiKeyAuth(authenticate_api_key), SessionUserAuth()],
)


def error(request, status: int, code: str, detail):
    return api.create_response(request, {"error": code, "detail": detail}, status=status)


@api.exception_handler(ApiError)
def on_api_error(request, exc: ApiError):
    return error(request, exc.status_code, exc.code, exc.detail)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error(
        request,
        exc.status_code,
        {404: "not_found", 403: "forbidden"}.get(exc.status_code, "bad_request"),
        str(exc),
    )


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc: NinjaValidationError):
    detail = [{"field": _field_name(e.get("loc", ())), "message": e.get("msg")} for e in exc.errors]
    return error(request, 422, "invalid_request", detail)


def _field_name(location) -> str:
    """("body", "payload", "address", "postal_code") -> "address.postal_code"."""
    parts = [str(p) for p in location]
    while parts and parts[0] in {"body", "query", "path", "header", "payload", "filters"}:
        parts.pop(0)
    return ".".join(parts)


@api.exception_handler(DjangoValidationError)
def on_service_error(request, exc: DjangoValidationError):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return error(request, 422, "invalid", detail)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return error(request, 401, "unauthenticated", "a valid API key or a signed-in session is required")


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return error(request, 403, "forbidden", str(exc) or "not allowed")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", str(exc) or "not found")


api.add_router("/v1/", registry_router)
api.add_router("/v1/", catalog_router)
api.add_router("/v1/", payments_router)
api.add_router("/v1/", customs_router)
for router in (audit_router, sharing_router, requests_router, oia_router):
    api.add_router("/v1/", router)
