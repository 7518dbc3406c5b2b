"""Each service's tests live in ``tests/unit/`` (no database, no broker: fast, and runnable anywhere)
and ``tests/integration/`` (the embedded PostgreSQL and Tansu). The plugin refuses a run in which a
test under ``unit/`` asks for either, so the split cannot drift."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

#: The fixtures that start or reach the embedded PostgreSQL or the broker.
REAL_PARTS = frozenset({"postgres", "broker", "make_database"})


def unit_tests_on_real_parts(items: Iterable[pytest.Item]) -> list[str]:
    """The tests under a ``unit/`` folder that ask for the database or the broker."""
    return [item.nodeid for item in items if "unit" in item.path.parts and REAL_PARTS & set(getattr(item, "fixturenames", ()))]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    wrong = unit_tests_on_real_parts(items)
    if wrong:
        raise pytest.UsageError(f"tests in unit/ use the database or the broker; move them to integration/: {wrong[:5]}")
