"""The four kinds of route the plan service's API modules declare, written once: a list (``GET``,
its page model), a read of one record (``GET``, ETag), a change of a record that answers the record
at its new version (``200``, ETag), and a create that answers it ``201`` and takes an Idempotency-Key.
What a route documents (status, answers, tag, summary) is the same as writing its decorator out in full."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.types import DecoratedCallable
from pydantic import BaseModel

from continuum.web.http import IDEMPOTENT, PROBLEM_RESPONSES


class Routes:
    """The route kinds of one router whose records answer as ``record`` (the plan, a block)."""

    def __init__(
        self, router: APIRouter, *, record: type[BaseModel], answered: dict[int | str, Any], created: dict[int | str, Any]
    ) -> None:
        self.router, self.record, self.answered, self.created = router, record, answered, created

    def lists(self, path: str, page: type[BaseModel], tag: str, summary: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.get(path, response_model=page, responses=PROBLEM_RESPONSES, tags=[tag], summary=summary)

    def reads(self, path: str, tag: str, summary: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
        """A read of one record: it answers the record at its version, as a change does."""
        return self.changes("get", path, tag, summary)

    def changes(self, method: str, path: str, tag: str, summary: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
        declare: Callable[..., Callable[[DecoratedCallable], DecoratedCallable]] = getattr(self.router, method)
        return declare(path, response_model=self.record, responses=self.answered, tags=[tag], summary=summary)

    def creates(self, path: str, tag: str, summary: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.post(
            path,
            status_code=201,
            response_model=self.record,
            responses=self.created,
            tags=[tag],
            summary=summary,
            openapi_extra=IDEMPOTENT,
        )
