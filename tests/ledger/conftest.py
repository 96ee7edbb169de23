import pytest

from talat.registry.reference import ensure_goods_categories


@pytest.fixture(autouse=True)
def _goods_categories(request):
    """Enterprises need the goods categories the registry's data migration loads; load them here
    too, so these tests also run with --nomigrations and after a transactional test's flush."""
    if request.node.get_closest_marker("django_db"):
        ensure_goods_categories()
