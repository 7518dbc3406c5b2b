"""Loads the shared test fixtures (embedded PostgreSQL and Tansu, once per session) and the check
that a service's ``tests/unit/`` uses neither of them."""

pytest_plugins = ["continuum_tools.testing", "continuum_tools.testing.layout"]
