"""Talat (ตลาด): an open, self-hostable digital-trade platform for Thai SMEs."""
