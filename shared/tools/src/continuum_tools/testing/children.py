"""A test child as the referral service announces it: one ``child.registered`` (or ``child.updated``)
for every service's tests, not a copy in each."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from continuum.contracts import ChildRegistered, ChildUpdated
from continuum.contracts.codes import Disability, Ethnicity, Sex
from continuum_tools.testing.api import la_child_id, unique
from continuum_tools.testing.fixtures import remember_personal_data


def child_event(
    child_id: uuid.UUID,
    *,
    version: int = 1,
    event_type: type[ChildRegistered] | type[ChildUpdated] = ChildRegistered,
    **overrides: Any,
) -> ChildRegistered | ChildUpdated:
    """A child with unique names (remembered, so the log check can prove they are never logged), a
    fresh LA child id and census-valid characteristics; ``overrides`` sets any other field."""
    given, family = unique("Given").replace("-", ""), unique("Family").replace("-", "")
    remember_personal_data(given, family)
    values: dict[str, Any] = {
        "child_id": child_id,
        "la_child_id": la_child_id(),
        "given_name": given,
        "family_name": family,
        "date_of_birth": date(2016, 3, 14),
        "expected_date_of_birth": None,
        "sex": Sex.FEMALE,
        "ethnicity": Ethnicity.WHITE_BRITISH,
        "disabilities": [Disability.NONE],
        "upn": None,
        "nhs_number": "9434765919",
        "postcode": "EX1 1AA",
        "version": version,
    } | overrides
    return event_type(**values)
