"""Reading a DfE CIN census return (XML, any layout from 2017-18 to 2026-27) into the plain values
of :mod:`.records`, one child at a time.

The file streams (``iterparse``; each ``Child`` is cleared once read), so a council's ten years in
one 100 MB file take the memory of one child. Namespaced or not, both are read (a tag's namespace
is dropped). Lenient about the order of elements, strict about values: dates are ISO
``YYYY-MM-DD``, codes are on the DfE's lists (``continuum.contracts.codes``), yes/no items are
``true``/``false``/``1``/``0``. Each child is read on its own: a child with a bad value, without
its LAchildID or with overlapping episodes is left out whole and named by a :class:`Problem`
(one per finding), and the rest of the file is read.

The layouts differ in the child's sex: up to 2023-24 ``GenderCurrent`` (1 male, 2 female, 0 not
known, 9 not specified), from 2024-25 ``Sex`` (M, F, U) (DfE, CIN census 2024-25 business and
technical specification: "New data item <Sex> (N00783) replaces <Gender>"; the DfE validator's
rule 8750, cin2022_23 and cin2024_25). Section 5's ``PreProceedingsandFGDM`` is new in 2026-27;
``DateOfInitialCPC`` at episode level and ``AssessmentInternalReviewDate`` are read where a return
has them. Either sex element is read in any year: a return is taken as its software wrote it.
"""

from __future__ import annotations

import io
import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import BinaryIO, TypeVar
from xml.etree import ElementTree as ET

from continuum.contracts.codes import (
    CIN_UPN_UNKNOWN_REASONS,
    CategoryOfAbuse,
    Ethnicity,
    PrimaryNeedCode,
    ReasonForClosure,
    ReferralSource,
    Sex,
    upn_problem,
    validate_assessment_factors,
    validate_disabilities,
)
from continuum.contracts.plan import PreproceedingsOutcome
from continuum_tools.importing.elements import (
    DATE,
    BadValue,
    code_of,
    codes_of,
    count_of,
    date_of,
    parse_date,
    required_date,
    text_of,
    yes_no_of,
)
from continuum_tools.importing.records import (
    Assessment,
    CensusFile,
    Child,
    CinPlan,
    CpPlan,
    Episode,
    Header,
    Preproceedings,
    Problem,
    Section47,
)

#: ``GenderCurrent`` codes of the returns up to 2023-24 and the ``Sex`` each reads as (0 and 9
#: only for an unborn child: see :class:`Child`).
GENDER_CURRENT = {"1": "M", "2": "F", "0": None, "9": None}
T = TypeVar("T")
Source = str | Path | bytes | BinaryIO


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _identifiers(child: ET.Element, la_child_id: str) -> Child:
    """The child's identifiers (its characteristics and episodes are added by the caller)."""
    where = "ChildIdentifiers"
    blocks = child.findall(where)
    if len(blocks) != 1:
        raise BadValue(where, "missing" if not blocks else "given more than once")
    ids = blocks[0]
    upn, former = text_of(ids, "UPN", where), text_of(ids, "FormerUPN", where)
    for name, value in (("UPN", upn), ("FormerUPN", former)):
        if value is not None and (why := upn_problem(value)):
            raise BadValue(f"{where}/{name}", why)
    unknown = code_of(ids, "UPNunknown", where, _upn_unknown)
    born, expected = date_of(ids, "PersonBirthDate", where), date_of(ids, "ExpectedPersonBirthDate", where)
    sex = code_of(ids, "Sex", where, Sex)
    gender = code_of(ids, "GenderCurrent", where, _gender)
    if sex is None and gender is not None:
        sex = GENDER_CURRENT[gender] or ("U" if expected is not None and born is None else None)
    return Child(
        la_child_id=la_child_id,
        upn=upn,
        former_upn=former,
        upn_unknown=unknown,
        birth_date=born,
        expected_birth_date=expected,
        sex=sex,
        gender_current=gender,
        death_date=date_of(ids, "PersonDeathDate", where),
    )


def _upn_unknown(code: str) -> None:
    if code not in CIN_UPN_UNKNOWN_REASONS:
        raise ValueError(code)


def _gender(code: str) -> None:
    if code not in GENDER_CURRENT:
        raise ValueError(code)


def _pp_outcome(code: str) -> None:
    PreproceedingsOutcome(code)


def _assessment(block: ET.Element) -> Assessment:
    where = "CINdetails/Assessments"
    factors = codes_of(block, "FactorsIdentifiedAtAssessment", "AssessmentFactors", where, validate_assessment_factors)
    return Assessment(
        start=date_of(block, "AssessmentActualStartDate", where),
        internal_review=date_of(block, "AssessmentInternalReviewDate", where),
        authorised=date_of(block, "AssessmentAuthorisationDate", where),
        factors=factors,
    )


def _cin_plan(block: ET.Element) -> CinPlan:
    where = "CINdetails/CINPlanDates"
    return CinPlan(start=required_date(block, "CINPlanStartDate", where), end=date_of(block, "CINPlanEndDate", where))


def _section47(block: ET.Element) -> Section47:
    where = "CINdetails/Section47"
    return Section47(
        start=required_date(block, "S47ActualStartDate", where),
        icpc_target=date_of(block, "InitialCPCtarget", where),
        icpc=date_of(block, "DateOfInitialCPC", where),
        icpc_not_required=yes_no_of(block, "ICPCnotRequired", where),
    )


def _cp_plan(block: ET.Element) -> CpPlan:
    where = "CINdetails/ChildProtectionPlans"
    dates = [
        parse_date((review.text or "").strip(), f"{where}/Reviews/CPPreviewDate")
        for holder in block.findall("Reviews")
        for review in holder.findall("CPPreviewDate")
    ]
    return CpPlan(
        start=required_date(block, "CPPstartDate", where),
        end=date_of(block, "CPPendDate", where),
        initial_category=code_of(block, "InitialCategoryOfAbuse", where, CategoryOfAbuse),
        latest_category=code_of(block, "LatestCategoryOfAbuse", where, CategoryOfAbuse),
        previous_plans=count_of(block, "NumberOfPreviousCPP", where),
        reviews=tuple(sorted(dates)),
    )


def _preproceedings(block: ET.Element) -> Preproceedings:
    where = "CINdetails/PreProceedingsandFGDM"
    return Preproceedings(
        start=required_date(block, "PPStartDate", where),
        letter=date_of(block, "LBPSentDate", where),
        fgdm_offered=yes_no_of(block, "FGDMMeetingOffer", where),
        fgdm_held=yes_no_of(block, "FGDMMeetingFac", where),
        initial_meeting=date_of(block, "InitialPPMeetingDate", where),
        review_meetings=count_of(block, "ReviewMeetingsCount", where),
        decided=date_of(block, "StepDecisionDate", where),
        outcome=code_of(block, "PPOutcome", where, _pp_outcome),
        court_application=date_of(block, "CourtAppDate", where),
        letter_initiating=date_of(block, "LetterInitCPDate", where),
    )


def _modules(block: ET.Element, name: str, read: Callable[[ET.Element], T], key: Callable[[T], object]) -> tuple[T, ...]:
    modules = [read(module) for module in block.findall(name)]
    keys = [key(m) for m in modules]
    if len(set(keys)) != len(keys):
        raise BadValue(f"CINdetails/{name}", "two modules of the episode start on the same day")
    return tuple(sorted(modules, key=lambda m: str(key(m))))


def _episode(block: ET.Element) -> Episode:
    where = "CINdetails"
    closure = date_of(block, "CINclosureDate", where)
    referral = required_date(block, "CINreferralDate", where)
    if closure is not None and closure < referral:
        raise BadValue(f"{where}/CINclosureDate", "before the referral date")
    return Episode(
        referral_date=referral,
        source=code_of(block, "ReferralSource", where, ReferralSource),
        primary_need=code_of(block, "PrimaryNeedCode", where, PrimaryNeedCode),
        closure=closure,
        reason_for_closure=code_of(block, "ReasonForClosure", where, ReasonForClosure),
        referral_nfa=yes_no_of(block, "ReferralNFA", where),
        initial_cpc=date_of(block, "DateOfInitialCPC", where),
        assessments=_modules(block, "Assessments", _assessment, lambda a: a.start),
        cin_plans=_modules(block, "CINPlanDates", _cin_plan, lambda p: p.start),
        section47s=_modules(block, "Section47", _section47, lambda s: s.start),
        cp_plans=_modules(block, "ChildProtectionPlans", _cp_plan, lambda p: p.start),
        preproceedings=_modules(block, "PreProceedingsandFGDM", _preproceedings, lambda b: b.start),
    )


def overlapping(episodes: tuple[Episode, ...]) -> bool:
    """Whether two of a child's episodes overlap, as the DfE's rule 8820 has it: one referred before
    the one referred before it closed (a referral on the day of the closure is not an overlap), or
    while it was open and not a referral with no further action; or two referred on the same day."""
    ordered = sorted(episodes, key=lambda e: e.referral_date)
    for before, after in itertools.pairwise(ordered):
        if after.referral_date == before.referral_date:
            return True
        if before.closure is None and before.referral_nfa is not True:
            return True
        if before.closure is not None and after.referral_date < before.closure:
            return True
    return False


def read_child(element: ET.Element, position: int) -> Child | Problem:
    """One ``Child`` element (namespaces already dropped), or the problem that leaves it out;
    ``position`` (1 for the file's first child) names a child without an LAchildID."""
    ids = element.findall("ChildIdentifiers")
    la_child_id = (ids[0].findtext("LAchildID") or "").strip() if len(ids) == 1 else ""
    if not la_child_id:
        return Problem("", "ChildIdentifiers/LAchildID", f"missing: child {position} of the file is left out")
    try:
        identity = _identifiers(element, la_child_id)
        characteristics = element.findall("ChildCharacteristics")
        if len(characteristics) > 1:
            raise BadValue("ChildCharacteristics", "given more than once")
        ethnicity: str | None = None
        disabilities: tuple[str, ...] = ()
        if characteristics:
            ethnicity = code_of(characteristics[0], "Ethnicity", "ChildCharacteristics", Ethnicity)
            disabilities = codes_of(
                characteristics[0], "Disabilities", "Disability", "ChildCharacteristics", validate_disabilities
            )
        episodes = tuple(sorted((_episode(e) for e in element.findall("CINdetails")), key=lambda e: e.referral_date))
        if overlapping(episodes):
            raise BadValue("CINdetails", "the child's episodes overlap")
    except BadValue as bad:
        return Problem(la_child_id, bad.element, bad.reason)
    return replace(identity, ethnicity=ethnicity, disabilities=disabilities, episodes=episodes)


def _header(element: ET.Element) -> Header:
    details, source = element.find("CollectionDetails"), element.find("Source")
    if details is None:
        raise ValueError("the census file's Header has no CollectionDetails")
    year, reference = details.findtext("Year"), details.findtext("ReferenceDate")
    if year is None or not year.strip().isdigit() or reference is None or not DATE.fullmatch(reference.strip()):
        raise ValueError("the census file's Header has no Year or ReferenceDate it can read")

    def text(name: str) -> str | None:
        value = source.findtext(name) if source is not None else None
        return value.strip() if value and value.strip() else None

    return Header(
        collection=(details.findtext("Collection") or "").strip(),
        year=int(year),
        reference_date=date.fromisoformat(reference.strip()),
        source_level=text("SourceLevel"),
        lea=text("LEA"),
        software_code=text("SoftwareCode"),
        release=text("Release"),
        serial_no=text("SerialNo"),
        made_at=text("DateTime"),
    )


def _opened(source: Source) -> BinaryIO | str:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, Path):
        return str(source)
    return source


def stream_census(source: Source) -> Iterator[Header | Child | Problem]:
    """The return's header, then each child (or the problem that leaves it out) in file order,
    one at a time. ``source``: a path, the file's bytes, or a binary file. A file that is not XML,
    or whose header cannot be read, raises ``ValueError`` (the file, not a child, is bad)."""
    stack: list[ET.Element] = []
    position = 0
    header_seen = False
    try:
        for event, element in ET.iterparse(_opened(source), events=("start", "end")):
            if event == "start":
                stack.append(element)
                continue
            stack.pop()
            name = _local(element.tag)
            if name == "Header" and len(stack) == 1:
                _drop_namespaces(element)
                yield _header(element)
                header_seen = True
                element.clear()
            elif name == "Child" and stack and _local(stack[-1].tag) == "Children":
                if not header_seen:
                    raise ValueError("the census file has a child before its Header")
                position += 1
                _drop_namespaces(element)
                yield read_child(element, position)
                stack[-1].clear()  # the child read, nothing of it is kept
    except ET.ParseError as error:
        raise ValueError(f"the census file is not well-formed XML: {error}") from None
    if not header_seen:
        raise ValueError("the census file has no Header")


def _drop_namespaces(element: ET.Element) -> None:
    for e in element.iter():
        e.tag = _local(e.tag)


def read_census(source: Source) -> CensusFile:
    """The whole return: its header, the children read whole, and the problems of the others. An
    LA child id given to two children of the return leaves both out (which is the child?)."""
    header: Header | None = None
    children: list[Child] = []
    problems: list[Problem] = []
    for item in stream_census(source):
        if isinstance(item, Header):
            header = item
        elif isinstance(item, Child):
            children.append(item)
        else:
            problems.append(item)
    assert header is not None  # stream_census raises without one
    counts = Counter(c.la_child_id for c in children)
    twice = sorted(la_child_id for la_child_id, n in counts.items() if n > 1)
    problems.extend(
        Problem(la_child_id, "ChildIdentifiers/LAchildID", "given to more than one child of the return") for la_child_id in twice
    )
    kept = tuple(c for c in children if counts[c.la_child_id] == 1)
    return CensusFile(header=header, children=kept, problems=tuple(problems))
