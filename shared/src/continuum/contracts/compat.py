"""Backward-compatibility check between a published JSON Schema and the current one.

A change is compatible when every event valid under the new schema is still understood by a
consumer built on the old one: no property removed, no type or format changed, no enum value
added or removed, nothing that was optional made required, nothing new required.
"""

from __future__ import annotations

from typing import Any


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        schema = root.get("$defs", {})[name]
    return schema


def _variants(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        return [_resolve(s, root) for s in schema["anyOf"]]
    return [schema]


def _shape(schema: dict[str, Any]) -> tuple[Any, ...]:
    return (schema.get("type"), schema.get("format"), tuple(sorted(map(str, schema.get("enum", [])))), schema.get("const"))


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    _compare(old, old, new, new, "", problems)
    return problems


def _compare(
    old: dict[str, Any], old_root: dict[str, Any], new: dict[str, Any], new_root: dict[str, Any], path: str, out: list[str]
) -> None:
    old_variants, new_variants = _variants(old, old_root), _variants(new, new_root)
    old_shapes = {_shape(v) for v in old_variants}
    for variant in new_variants:
        if _shape(variant) not in old_shapes:
            out.append(f"{path or '<root>'}: new shape {_shape(variant)} not in the published {sorted(old_shapes, key=str)}")
    for old_v in old_variants:
        match = next((n for n in new_variants if _shape(n) == _shape(old_v)), None)
        if match is None or old_v.get("type") != "object":
            if old_v.get("type") == "array" and match is not None and "items" in old_v:
                _compare(old_v["items"], old_root, match.get("items", {}), new_root, f"{path}[]", out)
            continue
        old_props, new_props = old_v.get("properties", {}), match.get("properties", {})
        for name, old_prop in old_props.items():
            where = f"{path}.{name}" if path else name
            if name not in new_props:
                out.append(f"{where}: removed")
                continue
            _compare(old_prop, old_root, new_props[name], new_root, where, out)
        newly_required = set(match.get("required", [])) - set(old_v.get("required", []))
        for name in sorted(newly_required):
            out.append(f"{path + '.' if path else ''}{name}: now required")
