"""Loads the shared test fixtures (embedded PostgreSQL and Tansu, once per session)."""

pytest_plugins = ["continuum_tools.testing"]
