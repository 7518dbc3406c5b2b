"""The CIN census file of a collection year (1 April to 31 March), as at a day: which episodes and
modules it holds, and the XML (element names and order of the DfE's CIN census specification,
2026-27, with section 5's ``PreProceedingsandFGDM`` block after ``ChildProtectionPlans``).

What the year holds (docs/decisions/50-cin-census-from-read-model.md): every child with an episode
open at any point in the year up to the day (referral on or before it; no closure, or a closure on
or after 1 April); in each episode, each module open at any point in the year (started by the day,
not ended before 1 April); a pre-proceedings block when it started in the year (rule 9005). A date
after the day is not yet a fact: an end after it leaves the module open.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree as ET

from insight.domain.census import CensusChild, CpPlan, Episode, Preproceedings

#: Who made the file (census SoftwareCode).
SOFTWARE = "Continuum"


@dataclass(frozen=True)
class CensusYear:
    """The collection year ending 31 March of ``year``, as known on ``as_at`` (the year to date)."""

    year: int
    as_at: date

    @property
    def start(self) -> date:
        return date(self.year - 1, 4, 1)

    @property
    def reference_date(self) -> date:
        return date(self.year, 3, 31)

    @property
    def cutoff(self) -> date:
        """The last day whose facts count: the day asked for, or 31 March if that is earlier."""
        return min(self.as_at, self.reference_date)

    def known(self, day: date | None) -> date | None:
        """``day`` if it is a fact by the cutoff, else ``None`` (not yet happened)."""
        return day if day is not None and day <= self.cutoff else None

    def open_in_year(self, start: date | None, end: date | None) -> bool:
        """Started by the cutoff and not ended before the year began."""
        if start is None or start > self.cutoff:
            return False
        ended = self.known(end)
        return ended is None or ended >= self.start


@dataclass(frozen=True)
class Header:
    """The return's source: the council's LEA code (council policy ``la_code``), the release of
    the software, the file's serial number and when it was made."""

    lea: str
    release: str
    serial_no: int
    made_at: datetime


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _escape(text: str) -> str:
    """Text as ElementTree escapes it (``&``, ``<``, ``>``)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _add(parent: ET.Element, tag: str, value: Any = None) -> ET.Element:
    """A child element of the header's tree; an absent value (``None``) leaves it empty."""
    element = ET.SubElement(parent, tag)
    if value is not None:
        element.text = _fmt(value)
    return element


def _items(parent: ET.Element, items: Iterable[tuple[str, Any]]) -> None:
    for tag, value in items:
        if value is not None:
            _add(parent, tag, value)


class _Xml:
    """A child's elements written as they are made, as ``ET.indent`` then ``ET.tostring`` write
    the same tree at ``level`` (a tree of the census's kind: no attributes, namespaces or tails;
    text only on leaves): a council's file has millions of elements, and building the tree first
    and walking it again cost as much as all the rest. :func:`census_xml` checks it against
    ElementTree. An element is a ``with xml.element(tag):`` block around its children."""

    def __init__(self, level: int) -> None:
        self.parts: list[str] = []
        self._open: list[tuple[str, int]] = []  # the elements open, innermost last: tag, where its start tag is
        #: The line break and indentation of each depth; none before the outermost element (it stands alone).
        self._close = ["\n" + "  " * (level + depth) for depth in range(12)]
        self._start = ["", *self._close[1:]]

    def element(self, tag: str) -> _Xml:
        self.parts.append(f"{self._start[len(self._open)]}<{tag}>")
        self._open.append((tag, len(self.parts) - 1))
        return self

    def __enter__(self) -> _Xml:
        return self

    def __exit__(self, *_: object) -> None:
        tag, start = self._open.pop()
        depth = len(self._open)
        if start == len(self.parts) - 1:  # nothing in it: an empty element
            self.parts[start] = f"{self._start[depth]}<{tag} />"
        else:
            self.parts.append(f"{self._close[depth]}</{tag}>")

    def leaf(self, tag: str, value: Any) -> None:
        """A leaf element with ``value`` as its text (empty when ``None``)."""
        text = "" if value is None else _escape(_fmt(value))
        before = self._start[len(self._open)]
        self.parts.append(f"{before}<{tag}>{text}</{tag}>" if text else f"{before}<{tag} />")

    def leaves(self, items: Iterable[tuple[str, Any]]) -> None:
        """A leaf for each item whose value is not ``None`` (an absent value leaves it out)."""
        for tag, value in items:
            if value is not None:
                self.leaf(tag, value)


def in_year(child: CensusChild, year: CensusYear) -> list[Episode]:
    """The child's episodes in the year, by referral date."""
    episodes = [e for e in child.episodes.values() if e.referral_date and year.open_in_year(e.referral_date, e.closure)]
    return sorted(episodes, key=lambda e: (e.referral_date or year.start, str(e.case_id)))


def _identifiers(xml: _Xml, who: dict[str, Any]) -> None:
    with xml.element("ChildIdentifiers"):
        xml.leaves(
            [
                ("LAchildID", who["la_child_id"]),
                ("UPN", who.get("upn")),
                ("FormerUPN", who.get("former_upn")),
                ("UPNunknown", None if who.get("upn") else who.get("upn_unknown_reason")),
                ("PersonBirthDate", who.get("date_of_birth")),
                ("ExpectedPersonBirthDate", None if who.get("date_of_birth") else who.get("expected_date_of_birth")),
                ("Sex", who["sex"]),
                ("PersonDeathDate", who.get("date_of_death")),
            ]
        )
    with xml.element("ChildCharacteristics"):
        xml.leaf("Ethnicity", who["ethnicity"])
        with xml.element("Disabilities"):
            for code in who.get("disabilities") or ["NONE"]:
                xml.leaf("Disability", code)


def _cp_plan(xml: _Xml, plan: CpPlan, year: CensusYear) -> None:
    with xml.element("ChildProtectionPlans"):
        xml.leaves(
            [
                ("CPPstartDate", plan.start),
                ("CPPendDate", year.known(plan.end)),
                ("InitialCategoryOfAbuse", plan.initial_category),
                ("LatestCategoryOfAbuse", plan.latest_category),
                ("NumberOfPreviousCPP", plan.previous_plans or 0),
            ]
        )
        held = [r for _, r in sorted(plan.reviews.items()) if year.known(r) and r >= year.start]
        if held:
            with xml.element("Reviews"):
                for review in held:
                    xml.leaf("CPPreviewDate", review)


def _preproceedings(xml: _Xml, block: Preproceedings, year: CensusYear) -> None:
    held = block.fgdm_held if block.fgdm_offered else None
    decided = year.known(block.decided)
    with xml.element("PreProceedingsandFGDM"):
        xml.leaves(
            [
                ("PPStartDate", block.start),
                ("LBPSentDate", year.known(block.letter)),
                ("FGDMMeetingOffer", None if block.fgdm_offered is None else int(block.fgdm_offered)),
                ("FGDMMeetingFac", None if held is None else int(held)),
                ("InitialPPMeetingDate", year.known(block.initial_meeting)),
                ("ReviewMeetingsCount", block.review_meetings if block.initial_meeting else None),
                ("StepDecisionDate", decided),
                ("PPOutcome", block.outcome if decided else None),
                ("CourtAppDate", year.known(block.court_application) if decided else None),
                ("LetterInitCPDate", year.known(block.letter_initiating) if decided else None),
            ]
        )


def _episode(xml: _Xml, ep: Episode, year: CensusYear) -> None:
    closure = year.known(ep.closure)
    xml.leaves(
        [
            ("CINreferralDate", ep.referral_date),
            ("ReferralSource", ep.source),
            ("PrimaryNeedCode", ep.primary_need),
            ("CINclosureDate", closure),
            ("ReasonForClosure", ep.reason_for_closure if closure else None),
            ("ReferralNFA", ep.nfa),
        ]
    )
    for a in sorted(ep.assessments.values(), key=lambda a: a.start or year.start):
        if not year.open_in_year(a.start, a.authorised):
            continue
        authorised = year.known(a.authorised)
        with xml.element("Assessments"):
            xml.leaves([("AssessmentActualStartDate", a.start), ("AssessmentAuthorisationDate", authorised)])
            if authorised:
                with xml.element("FactorsIdentifiedAtAssessment"):
                    for code in a.factors or ["21"]:
                        xml.leaf("AssessmentFactors", code)
    for p in sorted(ep.cin_plans.values(), key=lambda p: p.start):
        if year.open_in_year(p.start, p.end):
            with xml.element("CINPlanDates"):
                xml.leaves([("CINPlanStartDate", p.start), ("CINPlanEndDate", year.known(p.end))])
    for s in sorted(ep.section47s.values(), key=lambda s: s.start):
        if year.open_in_year(s.start, s.concluded):
            concluded = year.known(s.concluded) is not None
            with xml.element("Section47"):
                xml.leaves(
                    [
                        ("S47ActualStartDate", s.start),
                        ("InitialCPCtarget", s.icpc_target),
                        ("DateOfInitialCPC", year.known(s.icpc)),
                        ("ICPCnotRequired", s.icpc_not_required and concluded),
                    ]
                )
    for plan in sorted(ep.cp_plans.values(), key=lambda p: p.start):
        if year.open_in_year(plan.start, plan.end):
            _cp_plan(xml, plan, year)
    for block in sorted(ep.preproceedings.values(), key=lambda b: b.start):
        if year.start <= block.start <= year.cutoff:
            _preproceedings(xml, block, year)


def _child(identity: dict[str, Any], episodes: list[Episode], year: CensusYear) -> bytes:
    """The ``<Child>`` element, indented at its level in the file."""
    xml = _Xml(_CHILD_LEVEL)
    with xml.element("Child"):
        _identifiers(xml, identity)
        for ep in episodes:
            with xml.element("CINdetails"):
                _episode(xml, ep, year)
    return "".join(xml.parts).encode("utf-8", "xmlcharrefreplace")


def _message(year: CensusYear, header: Header) -> tuple[ET.Element, ET.Element]:
    """The file's root with its header, and its (empty) list of children."""
    message = ET.Element("Message")
    head = _add(message, "Header")
    _items(_add(head, "CollectionDetails"), [("Collection", "CIN"), ("Year", year.year), ("ReferenceDate", year.reference_date)])
    _items(
        _add(head, "Source"),
        [
            ("SourceLevel", "L"),
            ("LEA", header.lea),
            ("SoftwareCode", SOFTWARE),
            ("Release", header.release),
            ("SerialNo", header.serial_no),
            ("DateTime", header.made_at),
        ],
    )
    return message, _add(message, "Children")


def _serialised(message: ET.Element) -> bytes:
    ET.indent(message)
    xml: bytes = ET.tostring(message, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


def census_xml(children: Iterable[CensusChild], year: CensusYear, header: Header) -> tuple[bytes, list[uuid.UUID]]:
    """The census file, and the children left out for want of an identity (no ``child.*`` event
    yet): each with an episode in the year, to be named to whoever runs the return. The whole file
    in memory: the census streams it instead (:func:`census_frame`, :func:`child_xml`, :func:`order_key`),
    to the same bytes; this is the reference its tests compare with. Each child's element, as the
    census writes it, is read back into ElementTree and the whole document indented and written by
    ElementTree, so the comparison checks the census's writer too."""
    message, listed = _message(year, header)
    missing: list[uuid.UUID] = []
    for child in sorted(children, key=lambda c: str(c.identity["la_child_id"]) if c.identity else ""):
        episodes = in_year(child, year)
        if not episodes:
            continue
        if child.identity is None:
            missing.append(child.child_id)
            continue
        listed.append(ET.fromstring(_child(child.identity, episodes, year)))
    return _serialised(message), missing


# --- the same file, one child at a time ----------------------------------------------------------

#: A ``<Child>`` is on the third level of the file (``Message``, ``Children``, ``Child``).
_CHILD_LEVEL = 2
_SENTINEL = b"<Child />"


@dataclass(frozen=True)
class CensusFrame:
    """The file around its children, as :func:`census_xml` writes it: ``head`` before the first
    child, ``between`` two, ``tail`` after the last; ``empty``: the whole file when it lists none."""

    head: bytes
    between: bytes
    tail: bytes
    empty: bytes


def census_frame(year: CensusYear, header: Header) -> CensusFrame:
    """The frame of the year's file: the document with two empty children, cut around them (so the
    header, the declaration and the indentation are those of the whole document)."""
    message, listed = _message(year, header)
    empty = _serialised(message)
    message, listed = _message(year, header)
    ET.SubElement(listed, "Child")
    ET.SubElement(listed, "Child")
    head, between, tail = _serialised(message).split(_SENTINEL)
    return CensusFrame(head=head, between=between, tail=tail, empty=empty)


def child_xml(child: CensusChild, year: CensusYear) -> bytes | None:
    """The child's ``<Child>`` element as it stands in the file (indented at its level, without
    what separates it from the next), or ``None`` if the child has no episode in the year. A child
    without an identity yet but with an episode in the year is left out of the file: ask
    :func:`missing_identity`."""
    episodes = in_year(child, year)
    if not episodes or child.identity is None:
        return None
    return _child(child.identity, episodes, year)


def missing_identity(child: CensusChild, year: CensusYear) -> bool:
    """Whether the child would be in the file but for its identity (no ``child.*`` event yet)."""
    return child.identity is None and bool(in_year(child, year))


def census_parts(frame: CensusFrame, children: Iterable[bytes]) -> Iterator[bytes]:
    """The file's bytes in order: the frame around ``children`` (each from :func:`child_xml`, in
    the file's order)."""
    written = False
    for xml in children:
        yield frame.between if written else frame.head
        yield xml
        written = True
    yield frame.tail if written else frame.empty


def order_key(child: CensusChild, first_seen: tuple[datetime, uuid.UUID]) -> tuple[str, datetime, uuid.UUID]:
    """Where a listed child stands in the file: by its LA child id, as :func:`census_xml` orders
    them; children with the same id in the order the fold first met them (the time and id of the
    child's first event: ``census_xml`` sorts stably over the fold's order)."""
    return (str(child.identity["la_child_id"]) if child.identity else "", *first_seen)
