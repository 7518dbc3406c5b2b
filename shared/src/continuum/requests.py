"""The base of every API request model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class RequestModel(BaseModel):
    """Unknown fields are refused (a typo must not be silently dropped), and no text may hold the
    NUL character, which PostgreSQL cannot store: the caller gets a 422 naming the field."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        # Most fields are plain text: checked here, without the call into _has_nul.
        if value.__class__ is str and "\x00" not in value:
            return value
        if _has_nul(value):
            raise ValueError("text may not contain the NUL character (\\u0000)")
        return value
