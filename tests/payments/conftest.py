import pytest

from talat.accounts.models import Role
from tests.factories import user, vat_registered_shop
from tests.payments.bank import SECRET


@pytest.fixture
def money_settings(settings):
    """The bank keeps 1 %, Talat 3 %; notifications are signed with the tests' secret."""
    settings.TALAT_BANK_SECRET = SECRET
    settings.TALAT_BANK_FEE_BP = 100
    settings.TALAT_PLATFORM_FEE_BP = 300


@pytest.fixture
def shop():
    return vat_registered_shop()


@pytest.fixture
def admin():
    return user(role=Role.PLATFORM_ADMIN)
