"""Loopback stand-ins for the customs services Talat talks to (Thai Customs' e-Export declarations)."""
