"""The children and episodes a journey drives through the services, as the services gave them ids."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from continuum.contracts.codes import upn_check_letter
from continuum_tools.journey.waiting import unique


def la_child_id() -> str:
    """A fresh LA child id as the census takes it: letters and digits, at most 20 (rules 1570, 1580)."""
    return f"LA{uuid.uuid4().hex[:16].upper()}"


def upn(serial: int) -> str:
    """A well-formed UPN (its check letter right), distinct by ``serial``."""
    rest = f"201{serial:09d}"[:12]
    return upn_check_letter(rest) + rest


def nhs_number() -> str:
    """A random NHS number with a correct modulus-11 check digit."""
    while True:
        digits = [random.randint(0, 9) for _ in range(9)]
        check = (11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


@dataclass
class Child:
    """A child as the front door first records it, and the id the referral service gave it."""

    body: dict[str, Any]
    child_id: str | None = None
    version: int = 1

    @classmethod
    def new(cls, *, born: date | None = date(2016, 3, 14), **identity: Any) -> Child:
        """A new child with made-up names (``tests/year_of_journeys.Child`` also tells the log check
        about them) and a random NHS number; ``identity`` overrides any field."""
        given, family = unique("Year").replace("-", ""), unique("Child").replace("-", "")
        body = {
            "la_child_id": la_child_id(),
            "given_name": given,
            "family_name": family,
            "date_of_birth": born.isoformat() if born else None,
            "sex": "F",
            "ethnicity": "WBRI",
            "disabilities": ["NONE"],
            "nhs_number": nhs_number(),
            "postcode": "EX1 1AA",
        }
        return cls(body | identity)

    @property
    def la_child_id(self) -> str:
        return str(self.body["la_child_id"])


@dataclass
class Episode:
    """One episode (case) of a child: the ids the services gave it, as the journey learns them."""

    child: Child
    referral: dict[str, Any]
    team: str
    assessments: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    stepdowns: list[dict[str, Any]] = field(default_factory=list)

    @property
    def case_id(self) -> str:
        return str(self.referral["case_id"])

    def plan(self, kind: str) -> dict[str, Any]:
        return next(p for p in reversed(self.plans) if p["plan_type"] == kind)
