import pytest


@pytest.fixture(autouse=True)
def _thai_by_default(settings):
    settings.LANGUAGE_CODE = "th"
