"""The draft section 5 rules (``continuum_tools.testing.section5``): a well-formed block passes, and
each rule fires on the one planted fault it is about, so that the year-of-journeys census test's
"no finding" can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from continuum_tools.testing.section5 import check

BLOCK = {
    "PPStartDate": "2025-10-01",
    "LBPSentDate": "2025-10-02",
    "FGDMMeetingOffer": "1",
    "FGDMMeetingFac": "1",
    "InitialPPMeetingDate": "2025-10-15",
    "ReviewMeetingsCount": "1",
    "StepDecisionDate": "2026-01-09",
    "PPOutcome": "A",
    "CourtAppDate": "2026-01-12",
    "LetterInitCPDate": "2026-01-14",
}


def _census(tmp_path: Path, block: dict[str, str | None] | None) -> Path:
    items = "" if block is None else "".join(f"<{k}>{v}</{k}>" for k, v in block.items() if v is not None)
    section5 = "" if block is None else f"<PreProceedingsandFGDM>{items}</PreProceedingsandFGDM>"
    xml = (
        "<Message><Header><CollectionDetails><ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails></Header>"
        f"<Children><Child><ChildIdentifiers><LAchildID>LA1</LAchildID></ChildIdentifiers>"
        f"<CINdetails><CINreferralDate>2025-04-07</CINreferralDate>{section5}</CINdetails></Child></Children></Message>"
    )
    path = tmp_path / "census.xml"
    path.write_text(xml)
    return path


def test_a_well_formed_block_passes(tmp_path: Path) -> None:
    assert check(_census(tmp_path, BLOCK)) == []


def test_a_return_without_a_block_is_queried(tmp_path: Path) -> None:
    assert [(i.code, i.kind, i.child_id) for i in check(_census(tmp_path, None))] == [("8995Q", "Query", "")]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"PPStartDate": "2025-03-31"}, "9005"),
        ({"PPStartDate": None}, "9005"),
        ({"LBPSentDate": "2025-09-30"}, "9006"),
        ({"LBPSentDate": "2026-04-01"}, "9006"),
        ({"FGDMMeetingOffer": None, "FGDMMeetingFac": None}, "9007"),
        ({"InitialPPMeetingDate": "2026-04-02"}, "9008"),
        ({"StepDecisionDate": "2025-09-30"}, "9009"),
        ({"FGDMMeetingFac": None}, "9010Q"),
        ({"PPOutcome": "D"}, "9011"),
        ({"PPOutcome": None}, "9011"),  # the draft fires on a block still open, too
        ({"CourtAppDate": "2026-01-08"}, "9012"),
        ({"LetterInitCPDate": "2026-01-11"}, "9013"),
        ({"ReviewMeetingsCount": None}, "9015Q"),
    ],
)
def test_each_rule_fires_on_its_fault(tmp_path: Path, change: dict[str, str | None], code: str) -> None:
    found = check(_census(tmp_path, BLOCK | change))
    assert [(i.code, i.child_id, i.table) for i in found] == [(code, "LA1", "PreProceedingsandFGDM")]
