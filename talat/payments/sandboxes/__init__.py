"""Loopback stand-ins for Talat's payment partners (a Thai bank's PromptPay service)."""
