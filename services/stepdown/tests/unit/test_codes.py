"""Step-down names its codes with its own enums; its events carry their values, which the contract
lists (``continuum.contracts.stepdown``). The two lists must say the same, in the same order (the
published schema shows the contract's)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, get_args

import pytest

from continuum.contracts import stepdown as contract
from continuum.contracts.values import ValueSet
from stepdown import domain


def _published(alias: Any) -> ValueSet:
    return next(a for a in get_args(alias) if isinstance(a, ValueSet))


@pytest.mark.parametrize(
    ("enum", "alias"),
    [
        (domain.TransitionKind, contract.TransitionKind),
        (domain.TransitionTrigger, contract.TransitionTrigger),
        (domain.DeclineReason, contract.DeclineReason),
        (domain.EscalationReason, contract.EscalationReason),
        (domain.Engagement, contract.Engagement),
        (domain.EarlyHelpOutcome, contract.EarlyHelpOutcome),
    ],
)
def test_the_events_carry_the_values_of_the_services_enums(enum: type[StrEnum], alias: Any) -> None:
    published = _published(alias)
    assert published.name == enum.__name__
    assert published.values == tuple(member.value for member in enum)
    assert published.description == (enum.__doc__ if enum.__doc__ != StrEnum.__doc__ else None)
