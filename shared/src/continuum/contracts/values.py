"""Value sets: the codes an event field may carry, published as a named enum in the event's schema
but carried as plain strings.

A service names its codes and statuses with its own ``StrEnum`` (its states, tables and rules use
it); the contract lists only the values other services may read, so no service's enum leaks into
another through the contracts. A producer passes its enum members (they are strings); a consumer
reads strings and turns them into its own enum if it decides on them.

    TransitionKind = Annotated[str, ValueSet("TransitionKind", ("early_help", "universal", "close"))]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema


@dataclass(frozen=True)
class ValueSet:
    """The field accepts one of ``values`` (a string, or an enum member with that value) and holds
    it as a plain string. Its JSON Schema is ``$defs/<name>``, ``{"type": "string", "enum": values}``
    with ``description``: the schema a ``StrEnum`` of that name and docstring publishes, so moving
    a published enum out of the contracts leaves the event's schema as it was."""

    name: str
    values: tuple[str, ...]
    description: str | None = None

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        shown: dict[str, Any] = {"title": self.name} | ({"description": self.description} if self.description else {})
        return core_schema.literal_schema(list(self.values), ref=self.name, metadata={"pydantic_js_updates": shown})
