"""One `continuum up` stack for the whole journeys (journeys 1 to 5 and `continuum demo` share it);
the fault journey starts its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from journeys.stack import UpStack, continuum_up


@pytest.fixture(scope="session")
def up_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UpStack]:
    with continuum_up(tmp_path_factory.mktemp("journeys-stack")) as stack:
        yield stack
