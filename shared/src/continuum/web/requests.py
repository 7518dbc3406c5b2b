"""The base of every API request model, and the check that a request's body is UTF-8.

FastAPI parses a body with ``json.loads`` and validates the result in pydantic's lax mode, which
coerces: ``0`` becomes 1970-01-01, a Unix time a date of birth, ``"yes"`` or ``1`` a boolean.
A council system that sends such a value has a bug, and a record built from it would carry a
date nobody entered. So every field of a request model that holds a date, an instant or a
boolean takes only what the OpenAPI document says (decision 39):

- a date (``format: date``): a string ``YYYY-MM-DD``;
- an instant (``format: date-time``): a string ``YYYY-MM-DDThh:mm[:ss[.fff]]`` with its offset
  (``Z`` or ``+01:00``), as RFC 3339 writes a date-time;
- a boolean: JSON ``true`` or ``false``.

Anything else answers 422 naming the field (and a list's item). Python callers (a consumer building a request model
from an event) may pass ``date``, ``datetime`` and ``bool`` objects. The rule lives on the base,
not in each field's type, so a field added to any service's request model is checked without
anyone remembering to; a field of a shape the check cannot see into (a date inside a dict, or in
a union with another type) is refused when the model is defined.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError
from starlette.requests import Request

from continuum.web.errors import unreadable_body

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: RFC 3339 allows a lower-case ``t`` and ``z``; seconds may be left out (pydantic reads them so).
_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})")

#: What a field holds that the base checks: a date, an instant, a boolean, or a list of one.
Kind = Literal["date", "date-time", "boolean"] | tuple[Literal["list"], "Kind"]


def _is_date(value: Any) -> bool:
    return value.__class__ is date or (value.__class__ is str and _DATE.fullmatch(value) is not None)


def _is_instant(value: Any) -> bool:
    return isinstance(value, datetime) or (value.__class__ is str and _INSTANT.fullmatch(value) is not None)


def _is_boolean(value: Any) -> bool:
    return value.__class__ is bool


_CHECKS: dict[str, tuple[Callable[[Any], bool], str, str]] = {
    "date": (_is_date, "date_type", "Input should be a date written YYYY-MM-DD (ISO 8601)"),
    "date-time": (
        _is_instant,
        "datetime_type",
        "Input should be a date and time with its offset, written YYYY-MM-DDThh:mm:ssZ or YYYY-MM-DDThh:mm:ss+01:00 (ISO 8601)",
    ),
    "boolean": (_is_boolean, "bool_type", "Input should be true or false (a JSON boolean)"),
}


def _accepts(kind: Kind) -> Callable[[Any], bool]:
    """Whether a value is written as ``kind`` must be (``None`` is left to the field's type)."""
    if isinstance(kind, tuple):
        item = _accepts(kind[1])
        # Not a list: the field's type refuses it.
        return lambda value: value.__class__ is not list or all(item(v) for v in value)
    accepts = _CHECKS[kind][0]
    return lambda value: value is None or accepts(value)


def _refusals(kind: Kind, value: Any, loc: tuple[str | int, ...]) -> list[InitErrorDetails]:
    """Why ``value`` at ``loc`` is not written as ``kind`` must be: an error for each bad value."""
    if isinstance(kind, tuple):
        items = value if value.__class__ is list else []
        return [error for index, item in enumerate(items) for error in _refusals(kind[1], item, (*loc, index))]
    accepts, error_type, message = _CHECKS[kind]
    if value is None or accepts(value):
        return []
    return [InitErrorDetails(type=PydanticCustomError(error_type, message), loc=loc, input=value)]


def _is_none(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_none(typing.get_args(annotation)[0])
    return annotation is None or annotation is type(None)


def kind_of(annotation: Any, where: str) -> Kind | None:
    """What of ``annotation`` the base checks, or ``None`` when it holds no date, instant or
    boolean. Raises ``TypeError`` for a shape it cannot check (``where`` names the field)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return kind_of(typing.get_args(annotation)[0], where)
    if origin is typing.Union or origin is types.UnionType:
        members = [m for m in typing.get_args(annotation) if not _is_none(m)]
        kinds = [kind_of(m, where) for m in members]
        if len(members) == 1:
            return kinds[0]
        if any(k is not None for k in kinds):
            raise TypeError(f"{where}: a date, instant or boolean in a union with another type is not checked strictly")
        return None
    if origin in (list, tuple, set, frozenset):
        item_kinds = {kind_of(a, where) for a in typing.get_args(annotation) if a is not Ellipsis}
        if len(item_kinds) > 1:
            raise TypeError(f"{where}: a sequence of mixed dates, instants or booleans is not checked strictly")
        item = item_kinds.pop() if item_kinds else None
        return None if item is None else ("list", item)
    if origin is not None:  # dict, Literal and the like
        if origin is not typing.Literal and any(kind_of(a, where) is not None for a in typing.get_args(annotation)):
            raise TypeError(f"{where}: a date, instant or boolean inside {origin} is not checked strictly")
        return None
    if annotation is bool:
        return "boolean"
    if annotation is datetime:
        return "date-time"
    if annotation is date:
        return "date"
    plain_model = isinstance(annotation, type) and issubclass(annotation, BaseModel) and not issubclass(annotation, RequestModel)
    if plain_model and any(kind_of(f.annotation, f"{where}.{n}") is not None for n, f in annotation.model_fields.items()):
        raise TypeError(f"{where}: {annotation.__name__} holds dates, instants or booleans; make it a RequestModel")
    return None


#: Each request model's checks, by the field's name in a body (``RequestModel.strict_fields``).
_ACCEPTS: dict[type[BaseModel], tuple[tuple[str, Callable[[Any], bool]], ...]] = {}


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class RequestModel(BaseModel):
    """Unknown fields are refused (a typo must not be silently dropped); no text may hold the
    NUL character, which PostgreSQL cannot store; and dates, instants and booleans are taken only
    as the API documents them (see the module). The caller gets a 422 naming the field."""

    model_config = ConfigDict(extra="forbid")

    #: Each field holding a date, an instant or a boolean (by the name a body sends it under),
    #: and which; made when a model is defined.
    strict_fields: ClassVar[dict[str, Kind]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        strict: dict[str, Kind] = {}
        for name, field in cls.model_fields.items():
            kind = kind_of(field.annotation, f"{cls.__name__}.{name}")
            if kind is not None:
                strict[field.validation_alias if isinstance(field.validation_alias, str) else field.alias or name] = kind
        cls.strict_fields = strict
        _ACCEPTS[cls] = tuple((name, _accepts(kind)) for name, kind in strict.items())

    @model_validator(mode="before")
    @classmethod
    def _as_documented(cls, data: Any) -> Any:
        """Once per body, not per field: a check on every field cost the referral intake's body
        5 µs (twice its validation), for the handful of fields that are dates or booleans."""
        accepts = _ACCEPTS.get(cls)
        if not accepts or data.__class__ is not dict:
            return data
        if all(accept(data[name]) for name, accept in accepts if name in data):
            return data
        refused = [e for name, kind in cls.strict_fields.items() if name in data for e in _refusals(kind, data[name], (name,))]
        # The other fields are validated too, so that the answer names every field at fault.
        names = {error["loc"][0] for error in refused}
        try:
            cls.__pydantic_validator__.validate_python({k: v for k, v in data.items() if k not in names})
        except ValidationError as others:
            refused += [_again(e) for e in others.errors() if not (e["type"] == "missing" and e["loc"][0] in names)]
        raise ValidationError.from_exception_data(cls.__name__, refused)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        # Most fields are plain text: checked here, without the call into _has_nul.
        if value.__class__ is str and "\x00" not in value:
            return value
        if _has_nul(value):
            raise ValueError("text may not contain the NUL character (\\u0000)")
        return value


def _again(error: ErrorDetails) -> InitErrorDetails:
    """A validation error raised again as it was (its type, place and message)."""
    return InitErrorDetails(type=PydanticCustomError(error["type"], error["msg"]), loc=error["loc"], input=error["input"])


async def check_body_is_utf8(request: Request) -> None:
    """A JSON body is UTF-8 (RFC 8259), else 400 ``unreadable-body``. Python's ``json.loads``,
    which FastAPI parses with, would guess UTF-16 or UTF-32 from the first bytes, and FastAPI
    answers bytes that are no text at all with an undocumented 400 of its own. The body is read
    once: FastAPI then takes it from the request."""
    try:
        body = await request.body()
    except Exception as exc:  # a body over the limit (answered 413 by BodyLimit), a client gone
        raise unreadable_body("the body could not be read") from exc
    if body.isascii():
        return
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise unreadable_body(f"the body is not UTF-8 (byte {exc.start} is not part of a UTF-8 character)") from None
