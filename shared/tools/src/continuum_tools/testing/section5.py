"""The DfE's draft rules for the CIN census's section 5 (``PreProceedingsandFGDM``, new in 2026-27),
which the released validator (``csc-validator-be-cin`` 0.1.13) does not read yet: each rule as
../shared/census/section5-rules.md words it, over a census file, its findings in the validator's
own shape (``cin_validator.Issue``), so that a test reads both alike.

A date "within the year" lies from 1 April to the reference date (31 March), both included. A rule
about a field checks it where the field is given; which fields a block must give is the rule's
(9007, 9010Q, 9011, 9015Q). 9000Q (a field not yet collected, left blank with a reason) is not
checked: a file carries no reasons, and every field of the block is collected by the services.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

from continuum_tools.testing.cin_validator import Issue

#: The PPOutcome code set (CS131).
OUTCOMES = frozenset({"A", "B", "C"})
BLOCK = "PreProceedingsandFGDM"


def _day(block: ET.Element, name: str) -> date | None:
    text = block.findtext(name)
    return date.fromisoformat(text) if text else None


def _in(start: date, reference: date, day: date | None) -> bool:
    return day is None or start <= day <= reference


def block_findings(block: ET.Element, start: date, reference: date) -> list[tuple[str, str, str, str]]:
    """The draft rules over one block: (code, kind, message, column) of each finding."""
    found: list[tuple[str, str, str, str]] = []
    begun, letter = _day(block, "PPStartDate"), _day(block, "LBPSentDate")
    meeting, decided = _day(block, "InitialPPMeetingDate"), _day(block, "StepDecisionDate")
    court, initiating = _day(block, "CourtAppDate"), _day(block, "LetterInitCPDate")
    offered = block.findtext("FGDMMeetingOffer")

    def error(code: str, message: str, column: str, kind: str = "Error") -> None:
        found.append((code, kind, message, column))

    if begun is None or not _in(start, reference, begun):
        error("9005", "PPStartDate must lie within the collection year", "PPStartDate")
    if not _in(start, reference, letter) or (letter and begun and letter < begun):
        error("9006", "LBPSentDate must lie within the year, on or after PPStartDate", "LBPSentDate")
    if letter is not None and offered is None:
        error("9007", "a letter before proceedings was sent: FGDMMeetingOffer must be given", "FGDMMeetingOffer")
    if not _in(start, reference, meeting):
        error("9008", "InitialPPMeetingDate must lie within the year", "InitialPPMeetingDate")
    if not _in(start, reference, decided) or (decided and begun and decided < begun):
        error("9009", "StepDecisionDate must lie within the year, on or after PPStartDate", "StepDecisionDate")
    if offered == "1" and block.findtext("FGDMMeetingFac") is None:
        error("9010Q", "an FGDM meeting was offered: say whether it was facilitated", "FGDMMeetingFac", "Query")
    if block.findtext("PPOutcome") not in OUTCOMES:
        error("9011", "PPOutcome must be A, B or C", "PPOutcome")
    if not _in(start, reference, court) or (court and decided and court < decided):
        error("9012", "CourtAppDate must lie within the year, on or after StepDecisionDate", "CourtAppDate")
    if not _in(start, reference, initiating) or (initiating and court and initiating < court):
        error("9013", "LetterInitCPDate must lie within the year, on or after CourtAppDate", "LetterInitCPDate")
    if meeting is not None and block.findtext("ReviewMeetingsCount") is None:
        error("9015Q", "review meetings may have followed: give ReviewMeetingsCount", "ReviewMeetingsCount", "Query")
    return found


def check(census: Path) -> list[Issue]:
    """Every finding of the draft section 5 rules in the file at ``census``."""
    root = ET.parse(census).getroot()
    reference = date.fromisoformat(root.findtext("Header/CollectionDetails/ReferenceDate") or "")
    start = date(reference.year - 1, 4, 1)
    found: list[Issue] = []
    blocks = 0
    for child in root.findall("Children/Child"):
        child_id = child.findtext("ChildIdentifiers/LAchildID") or ""
        for block in child.findall(f"CINdetails/{BLOCK}"):
            blocks += 1
            found += [
                Issue(code, kind, message, child_id, BLOCK, column)
                for code, kind, message, column in block_findings(block, start, reference)
            ]
    if blocks == 0:
        found.append(Issue("8995Q", "Query", "no section 5 data for any child: give a reason", "", "", ""))
    return found
