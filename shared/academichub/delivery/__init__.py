"""Delivery rules the briefer (which sends) and the gateway (which takes the settings)
share: what a webhook address may be, unsubscribe tokens, and the settings."""
