import pytest


@pytest.fixture(autouse=True)
def _thai_by_default(settings):
    settings.LANGUAGE_CODE = "th"


@pytest.fixture
def exchange_rates(db):
    """The sample Bank of Thailand rates file shipped with Talat (marketplace orders in yuan or
    dollars are posted to the ledger in baht at these rates)."""
    from pathlib import Path

    import talat.ledger
    from talat.ledger import rates

    sample = Path(talat.ledger.__file__).parent / "data" / "bot_exchange_rates_sample.csv"
    return rates.import_rates(sample.read_bytes(), sample.name)
