"""What a rule says when a request or an event breaks it, in the domain's words.

Domain modules and use cases raise these; they know no HTTP. The web room renders each as
``application/problem+json`` from one table (``continuum.web.errors.PROBLEM_STATUS``): the class
gives the status, ``slug`` the problem type, ``field`` and ``reason`` what to fix and why. A
consumer that meets one dead-letters the event at once: the same event breaks the same rule again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self


@dataclass(frozen=True)
class FieldError:
    """One field at fault and why: ``field`` is its place in the request (``child.upn``)."""

    field: str
    reason: str


class DomainError(Exception):
    """A rule that refuses what was asked; asking again the same way gets the same answer.

    ``title`` is the one-line summary a caller shows; ``detail`` the specifics (by default
    ``field: reason``); ``extensions`` extra members of the answer (a 409's candidates)."""

    default_slug = "domain-error"

    def __init__(
        self,
        reason: str,
        *,
        field: str | None = None,
        slug: str | None = None,
        title: str | None = None,
        detail: str | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason = reason
        self.field = field
        self.slug = slug or self.default_slug
        self.title = title or reason
        self.detail = detail if detail is not None else (f"{field}: {reason}" if field else None)
        self.extensions: dict[str, Any] = dict(extensions or {})

    @property
    def errors(self) -> list[FieldError]:
        return [FieldError(self.field, self.reason)] if self.field else []

    def prefixed(self, prefix: str) -> Self:
        """The same error with its field placed in the request (``child.`` + ``upn``)."""
        if not self.field or not prefix:
            return self
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update(self.__dict__)
        clone.field = prefix + self.field
        clone.detail = f"{clone.field}: {self.reason}" if self.detail == f"{self.field}: {self.reason}" else self.detail
        clone.args = (f"{clone.field}: {self.reason}",)
        return clone


class Invalid(DomainError):
    """The request breaks a rule of its own content: ``field`` is wrong because ``reason`` (422)."""

    default_slug = "validation-error"

    def __init__(self, field: str, reason: str, *, slug: str | None = None, title: str | None = None) -> None:
        super().__init__(reason, field=field, slug=slug, title=title or "The request is not valid")


class Conflict(DomainError):
    """The request is well formed but the record's state refuses it (409): an open episode, a
    plan already ended. ``slug`` names the conflict so a client can act on it."""

    default_slug = "conflict"


class NotFound(DomainError):
    """The record does not exist, or the caller may not know that it does (404)."""

    default_slug = "not-found"

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found", title=f"{what} not found", detail="")
        self.detail = None


class Refused(DomainError):
    """The caller may not do this to this record (403): a role or a qualification it lacks."""

    default_slug = "forbidden"

    def __init__(self, reason: str, *, field: str | None = None, slug: str | None = None) -> None:
        super().__init__(reason, field=field, slug=slug, title="You may not do this", detail=reason)


class Exhausted(DomainError):
    """The caller spent a budget (429); ``retry_after`` seconds until it may try again."""

    default_slug = "too-many-requests"

    def __init__(self, reason: str, *, retry_after: int, slug: str | None = None, title: str | None = None) -> None:
        super().__init__(reason, slug=slug, title=title, detail=reason)
        self.retry_after = retry_after


class StaleVersion(DomainError):
    """The caller changes a record it read at another version than the current one (an If-Match
    that no longer holds): it must read the record again (412, the current version as the ETag)."""

    default_slug = "stale-version"

    def __init__(self, current: int) -> None:
        super().__init__(
            f"current version is {current}",
            field="If-Match",
            title="The record changed since you read it",
            detail=f"If-Match does not match the current version {current}; read it again",
        )
        self.current = current
