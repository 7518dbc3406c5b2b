"""One collection year's CIN census return written from the values of :mod:`.records`, in the
layout of that year, for the generator and the tests (the insight service writes the live census
from its read model; this writes an imported or generated history back out).

What the year holds is what the DfE asks for: every child with an episode open at any point of the
year (referred by 31 March, not closed before 1 April); in each episode the modules open at any
point of the year; a CP plan's reviews held in the year; a pre-proceedings block started in the year
(rule 9005). A date after 31 March is not yet known: an end after it leaves the record open.
Elements are in the specification's order; the returns up to 2023-24 carry ``GenderCurrent`` (1, 2,
or 0 for an unborn child), later ones ``Sex``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from xml.etree import ElementTree as ET

from continuum_tools.importing.records import Child, CpPlan, Episode, Preproceedings

#: The first collection year whose return carries ``Sex`` rather than ``GenderCurrent``.
SEX_FROM = 2025
_GENDER = {"M": "1", "F": "2", "U": "0"}


class _Year:
    def __init__(self, year: int) -> None:
        self.year, self.start, self.end = year, date(year - 1, 4, 1), date(year, 3, 31)

    def known(self, day: date | None) -> date | None:
        return day if day is not None and day <= self.end else None

    def open(self, start: date | None, end: date | None) -> bool:
        return start is not None and start <= self.end and (end is None or end >= self.start)


def _leaves(parent: ET.Element, items: Iterable[tuple[str, object]]) -> None:
    for tag, value in items:
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, date):
            text = value.isoformat()
        else:
            text = str(value)
        ET.SubElement(parent, tag).text = text


def _identifiers(parent: ET.Element, child: Child, year: _Year) -> None:
    ids = ET.SubElement(parent, "ChildIdentifiers")
    born = child.birth_date if child.birth_date and child.birth_date <= year.end else None
    sex = child.sex or "U"
    _leaves(
        ids,
        [
            ("LAchildID", child.la_child_id),
            ("UPN", child.upn),
            ("FormerUPN", child.former_upn),
            ("UPNunknown", None if child.upn else child.upn_unknown),
            ("PersonBirthDate", born),
            ("ExpectedPersonBirthDate", None if born else child.expected_birth_date),
            ("Sex", sex) if year.year >= SEX_FROM else ("GenderCurrent", _GENDER[sex]),
            ("PersonDeathDate", year.known(child.death_date)),
        ],
    )
    characteristics = ET.SubElement(parent, "ChildCharacteristics")
    _leaves(characteristics, [("Ethnicity", child.ethnicity)])
    disabilities = ET.SubElement(characteristics, "Disabilities")
    _leaves(disabilities, [("Disability", code) for code in child.disabilities or ("NONE",)])


def _cp_plan(parent: ET.Element, plan: CpPlan, year: _Year) -> None:
    element = ET.SubElement(parent, "ChildProtectionPlans")
    _leaves(
        element,
        [
            ("CPPstartDate", plan.start),
            ("CPPendDate", year.known(plan.end)),
            ("InitialCategoryOfAbuse", plan.initial_category),
            ("LatestCategoryOfAbuse", plan.latest_category),
            ("NumberOfPreviousCPP", plan.previous_plans),
        ],
    )
    held = [r for r in plan.reviews if year.start <= r <= year.end]
    if held:
        _leaves(ET.SubElement(element, "Reviews"), [("CPPreviewDate", r) for r in held])


def _preproceedings(parent: ET.Element, block: Preproceedings, year: _Year) -> None:
    decided = year.known(block.decided)
    _leaves(
        ET.SubElement(parent, "PreProceedingsandFGDM"),
        [
            ("PPStartDate", block.start),
            ("LBPSentDate", year.known(block.letter)),
            ("FGDMMeetingOffer", None if block.fgdm_offered is None else int(block.fgdm_offered)),
            ("FGDMMeetingFac", None if block.fgdm_held is None or not block.fgdm_offered else int(block.fgdm_held)),
            ("InitialPPMeetingDate", year.known(block.initial_meeting)),
            ("ReviewMeetingsCount", block.review_meetings if year.known(block.initial_meeting) else None),
            ("StepDecisionDate", decided),
            ("PPOutcome", block.outcome if decided else None),
            ("CourtAppDate", year.known(block.court_application) if decided else None),
            ("LetterInitCPDate", year.known(block.letter_initiating) if decided else None),
        ],
    )


def _episode(parent: ET.Element, ep: Episode, year: _Year) -> None:
    element = ET.SubElement(parent, "CINdetails")
    closure = year.known(ep.closure)
    _leaves(
        element,
        [
            ("CINreferralDate", ep.referral_date),
            ("ReferralSource", ep.source),
            ("PrimaryNeedCode", ep.primary_need),
            ("CINclosureDate", closure),
            ("ReasonForClosure", ep.reason_for_closure if closure else None),
            ("DateOfInitialCPC", year.known(ep.initial_cpc)),
            ("ReferralNFA", ep.referral_nfa),
        ],
    )
    for a in ep.assessments:
        if year.open(a.start, a.authorised):
            authorised = year.known(a.authorised)
            block = ET.SubElement(element, "Assessments")
            _leaves(
                block,
                [
                    ("AssessmentActualStartDate", a.start),
                    ("AssessmentInternalReviewDate", year.known(a.internal_review)),
                    ("AssessmentAuthorisationDate", authorised),
                ],
            )
            if authorised:
                factors = ET.SubElement(block, "FactorsIdentifiedAtAssessment")
                _leaves(factors, [("AssessmentFactors", code) for code in a.factors or ("21",)])
    for p in ep.cin_plans:
        if year.open(p.start, p.end):
            _leaves(
                ET.SubElement(element, "CINPlanDates"), [("CINPlanStartDate", p.start), ("CINPlanEndDate", year.known(p.end))]
            )
    for s in ep.section47s:
        if year.open(s.start, s.icpc):
            icpc = year.known(s.icpc)
            _leaves(
                ET.SubElement(element, "Section47"),
                [
                    ("S47ActualStartDate", s.start),
                    ("InitialCPCtarget", s.icpc_target),
                    ("DateOfInitialCPC", icpc),
                    ("ICPCnotRequired", s.icpc_not_required),
                ],
            )
    for plan in ep.cp_plans:
        if year.open(plan.start, plan.end):
            _cp_plan(element, plan, year)
    for pp in ep.preproceedings:
        if year.start <= pp.start <= year.end:
            _preproceedings(element, pp, year)


def census_return(children: Iterable[Child], year: int, *, la: str = "999", serial_no: int = 1) -> bytes:
    """The return of the collection year ending 31 March ``year``, children by LA child id."""
    span = _Year(year)
    message = ET.Element("Message")
    header = ET.SubElement(message, "Header")
    _leaves(ET.SubElement(header, "CollectionDetails"), [("Collection", "CIN"), ("Year", year), ("ReferenceDate", span.end)])
    made = datetime(year, 5, 1, 9, 0, 0)
    _leaves(
        ET.SubElement(header, "Source"),
        [
            ("SourceLevel", "L"),
            ("LEA", la),
            ("SoftwareCode", "Continuum"),
            ("Release", "import"),
            ("SerialNo", serial_no),
            ("DateTime", made.isoformat()),
        ],
    )
    listed = ET.SubElement(message, "Children")
    for child in sorted(children, key=lambda c: c.la_child_id):
        episodes = [e for e in child.episodes if span.open(e.referral_date, e.closure)]
        if not episodes:
            continue
        element = ET.SubElement(listed, "Child")
        _identifiers(element, child, span)
        for ep in episodes:
            _episode(element, ep, span)
    ET.indent(message)
    xml: bytes = ET.tostring(message, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"
