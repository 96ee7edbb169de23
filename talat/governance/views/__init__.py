"""Governance pages: sharing.py (dictionary, agreements, consent, passbook, audit log) and
requests.py (PDPA data-subject and Official Information Act requests)."""
