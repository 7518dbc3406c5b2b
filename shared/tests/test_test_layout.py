"""The check that keeps ``tests/unit/`` free of the database and the broker can fail."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from continuum_tools.testing.layout import unit_tests_on_real_parts


def _item(path: str, *fixtures: str) -> Any:
    return SimpleNamespace(nodeid=path, path=Path(path), fixturenames=list(fixtures))


def test_a_unit_test_on_the_database_is_named() -> None:
    items = [
        _item("services/plan/tests/unit/test_domain.py", "tmp_path"),
        _item("services/plan/tests/unit/test_sneaky.py", "plan_app", "postgres"),
        _item("services/plan/tests/integration/test_api.py", "postgres", "broker"),
    ]
    assert unit_tests_on_real_parts(items) == ["services/plan/tests/unit/test_sneaky.py"]
