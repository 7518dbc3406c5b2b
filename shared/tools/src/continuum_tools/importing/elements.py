"""Reading the values of a census return's elements, strictly: one element of a name (given twice
is an error), a date as ISO ``YYYY-MM-DD``, a code on a DfE list, a yes/no, a count. A value that
cannot be read raises :class:`BadValue`, naming the element and why (never the value, unless it is
a code: a code is not personal)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from xml.etree import ElementTree as ET

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
YES_NO = {"true": True, "1": True, "false": False, "0": False}


class BadValue(Exception):
    """A child's value that cannot be read: the element and why."""

    def __init__(self, element: str, reason: str) -> None:
        super().__init__(reason)
        self.element, self.reason = element, reason


def text_of(parent: ET.Element, name: str, where: str) -> str | None:
    """The text of ``parent``'s one ``name`` element (``None`` if absent or empty)."""
    found = parent.findall(name)
    if len(found) > 1:
        raise BadValue(f"{where}/{name}", "given more than once")
    if not found:
        return None
    text = (found[0].text or "").strip()
    return text or None


def parse_date(text: str, element: str) -> date:
    try:
        if not DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadValue(element, "not a date (YYYY-MM-DD)") from None


def date_of(parent: ET.Element, name: str, where: str) -> date | None:
    text = text_of(parent, name, where)
    return None if text is None else parse_date(text, f"{where}/{name}")


def required_date(parent: ET.Element, name: str, where: str) -> date:
    day = date_of(parent, name, where)
    if day is None:
        raise BadValue(f"{where}/{name}", "missing")
    return day


def code_of(parent: ET.Element, name: str, where: str, codes: Callable[[str], object]) -> str | None:
    text = text_of(parent, name, where)
    if text is None:
        return None
    try:
        codes(text)
    except ValueError:
        raise BadValue(f"{where}/{name}", f"{text!r} is not a code of the DfE list") from None
    return text


def yes_no_of(parent: ET.Element, name: str, where: str) -> bool | None:
    text = text_of(parent, name, where)
    if text is None:
        return None
    if text.lower() not in YES_NO:
        raise BadValue(f"{where}/{name}", "not true, false, 1 or 0")
    return YES_NO[text.lower()]


def count_of(parent: ET.Element, name: str, where: str) -> int | None:
    text = text_of(parent, name, where)
    if text is None:
        return None
    if not text.isdigit():
        raise BadValue(f"{where}/{name}", "not a whole number")
    return int(text)


def codes_of(parent: ET.Element, outer: str, inner: str, where: str, check: Callable[[list[str]], object]) -> tuple[str, ...]:
    blocks = parent.findall(outer)
    if len(blocks) > 1:
        raise BadValue(f"{where}/{outer}", "given more than once")
    codes = [(e.text or "").strip() for block in blocks for e in block.findall(inner)]
    if codes:
        try:
            check(codes)
        except ValueError as error:
            raise BadValue(f"{where}/{outer}", str(error)) from None
    return tuple(codes)
