"""Connectors to logistics partners: the cross-border hub (`cainiao`) and the domestic carrier
(`thaipost`), both behind the interface in `base`."""
