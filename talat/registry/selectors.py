"""Reads of the registry that several callers need."""

from django.db.models import Q, QuerySet

from talat.accounts.models import User
from talat.registry.models import Affiliation, Enterprise, VerificationStatus


def enterprises_visible_to(user: User | None) -> QuerySet[Enterprise]:
    """Verified enterprises for everyone; an owner's and staff's own in any state; all for
    agency officers and platform administrators."""
    queryset = Enterprise.objects.prefetch_related("categories").order_by("-created_at", "-pk")
    if user is not None and user.is_authenticated and (user.is_agency_officer or user.is_platform_admin):
        return queryset
    visible = Q(status=VerificationStatus.VERIFIED)
    if user is not None and user.is_authenticated:
        visible |= Q(owner=user) | Q(staff=user)
    return queryset.filter(visible).distinct()


def verification_queue() -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(status=VerificationStatus.PENDING).order_by("created_at", "pk")


def agency_of(user: User):
    affiliation = Affiliation.objects.filter(user=user).select_related("agency", "partner").first()
    return affiliation.agency if affiliation else None


def enterprise_of(user: User) -> Enterprise | None:
    """The enterprise a signed-in seller works for: the one they own, else one they staff."""
    if not user.is_authenticated:
        return None
    return Enterprise.objects.filter(Q(owner=user) | Q(staff=user)).order_by("created_at", "pk").first()
