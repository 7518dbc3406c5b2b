"""An episode's census closure, the one shape every service of the case flow records it in.

Which outcome closes an episode, and when, is decided in each service's domain; this module only
gives the record its shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from continuum.contracts.codes import ReasonForClosure


@dataclass(frozen=True)
class Closure:
    """An episode's census closure: the London calendar date and the reason (RC1 to RC9)."""

    closed_on: date
    reason: ReasonForClosure
