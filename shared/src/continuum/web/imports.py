"""What every service's import path answers (decision 59): how many records were imported, updated
or already held, and each child refused, one line each (LA child id, element, reason)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from continuum.casework.imports import ImportOutcome
from continuum.persistence.imports import ImportTally

#: At most this many children in one call of an import path.
BATCH_LIMIT = 200

DryRun = Annotated[bool, Query(description="check every child as an import would, and write nothing")]


class ImportProblemOut(BaseModel):
    """A child this service could not import; nothing of it was written."""

    la_child_id: str = Field(description="The child's LA child id")
    element: str = Field(description="Where in the child's record (a field of the request)")
    reason: str = Field(description="Why")


class ImportAnswer(BaseModel):
    """What an import call did (or, in a dry run, would do)."""

    dry_run: bool = Field(description="Whether nothing was written")
    imported: int = Field(description="Records imported for the first time")
    updated: int = Field(description="Records a later return added to (a closure, a review, an end)")
    unchanged: int = Field(description="Records already imported with the same values: nothing written")
    problems: list[ImportProblemOut] = Field(description="Each child refused, nothing of it written")


def import_answer(tally: ImportTally, *, dry_run: bool) -> ImportAnswer:
    return ImportAnswer(
        dry_run=dry_run,
        imported=tally.counts[ImportOutcome.IMPORTED],
        updated=tally.counts[ImportOutcome.UPDATED],
        unchanged=tally.counts[ImportOutcome.UNCHANGED],
        problems=[ImportProblemOut(la_child_id=p.la_child_id, element=p.element, reason=p.reason) for p in tally.problems],
    )
