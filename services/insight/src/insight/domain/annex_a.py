"""Ofsted's Annex A lists 3 to 7 (the child-level data a council gives inspectors under the ILACS
framework): which list holds what, their columns in one declarative table, the six months before
the as-at day, and the values as Ofsted's template writes them
(docs/decisions/51-annex-a-lists.md).

Pure: dates in, columns and cells out. The rows themselves are folded in
:mod:`insight.domain.annex_a_rows`.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from continuum.casework.errors import NotFound


@dataclass(frozen=True)
class Column:
    """One column of a list: its header as Ofsted's template names it, and the key a row fills."""

    header: str
    key: str


@dataclass(frozen=True)
class AnnexList:
    """One of Ofsted's lists: its number, short name (the file's) and columns, in the template's order."""

    number: int
    name: str
    title: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


#: The columns every list opens with (the child's identity, as at the as-at day).
COMMON = (
    Column("Child Unique ID", "child"),
    Column("Gender", "gender"),
    Column("Ethnicity", "ethnicity"),
    Column("Date of Birth", "date_of_birth"),
    Column("Age of Child (Years)", "age"),
)
DISABILITY = Column("Does the Child have a Disability", "disability")
#: The columns every list closes with: the case's team and lead practitioner (a name when the staff
#: directory knows it, else the identity provider's ``sub``).
ALLOCATED = (Column("Allocated Team", "team"), Column("Allocated Worker", "worker"))

#: Every list Continuum answers, with Ofsted's columns. One place: the files, the tests and the
#: decision read it from here.
LISTS: dict[int, AnnexList] = {
    3: AnnexList(
        3,
        "referrals",
        "List 3: Referrals",
        (
            *COMMON,
            Column("Date of Referral", "referral_date"),
            Column("Referral Source", "source"),
            Column("Referral NFA?", "nfa"),
            Column("Number of Referrals in Last 12 Months", "referrals_12_months"),
            *ALLOCATED,
        ),
    ),
    4: AnnexList(
        4,
        "assessments",
        "List 4: Assessments",
        (
            *COMMON,
            DISABILITY,
            Column("Continuous Assessment Start Date", "start"),
            Column("Child Seen During Continuous Assessment", "child_seen"),
            Column("Continuous Assessment Date of Authorisation", "authorised"),
            Column("Was the child assessed as requiring LA children's social care support?", "needs_support"),
            *ALLOCATED,
        ),
    ),
    5: AnnexList(
        5,
        "section-47",
        "List 5: Section 47 enquiries and initial child protection conferences",
        (
            *COMMON,
            DISABILITY,
            Column("Strategy discussion initiating Section 47 Enquiry Start Date", "start"),
            Column("Was an Initial Child Protection Conference deemed unnecessary?", "icpc_not_required"),
            Column("Date of Initial Child Protection Conference", "icpc"),
            Column("Did the Initial Child Protection Conference Result in a Child Protection Plan", "icpc_cp_plan"),
            Column("Number of Section 47 Enquiries in the last 12 months", "section47s_12_months"),
            Column("Number of ICPCs in the last 12 months", "icpcs_12_months"),
            *ALLOCATED,
        ),
    ),
    6: AnnexList(
        6,
        "children-in-need",
        "List 6: Children in need",
        (
            *COMMON,
            DISABILITY,
            Column("CIN Start Date", "start"),
            Column("Primary Need Code", "primary_need"),
            Column("Date Child Was Last Seen", "last_seen"),
            Column("CIN Closure Date", "closure"),
            Column("Reason for Closure", "reason_for_closure"),
            Column("Case Status", "case_status"),
            *ALLOCATED,
        ),
    ),
    7: AnnexList(
        7,
        "child-protection",
        "List 7: Child protection",
        (
            *COMMON,
            DISABILITY,
            Column("Child Protection Plan Start Date", "start"),
            Column("Initial Category of Abuse", "initial_category"),
            Column("Latest Category of Abuse", "latest_category"),
            Column("Date of the Last Statutory Visit", "last_visit"),
            Column("Was the Child Seen Alone?", "seen_alone"),
            Column("Date of latest review conference", "latest_review"),
            Column("Child Protection Plan End Date", "end"),
            Column(
                "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
                "protection_order",
            ),
            Column("Number of Previous Child Protection Plans", "previous_plans"),
            *ALLOCATED,
        ),
    ),
}

#: The lists Continuum cannot answer, and why (a council answers them from the systems that hold them).
NOT_HELD: dict[int, str] = {
    1: (
        "list 1 (contacts) is not held: the referral service records referrals, each already a request for"
        " services; contacts that never became a referral are kept in the council's front-door system"
    ),
    2: (
        "list 2 (early help assessments) is not held: step-down hands cases to early help and records whether"
        " early help accepted and the family engaged, but no early help assessment is recorded in Continuum"
    ),
}


class ListNotHeld(NotFound):
    """Continuum holds no data for this Annex A list (404 with the reason)."""

    default_slug = "annex-a-list-not-held"

    def __init__(self, number: int) -> None:
        super().__init__(f"Annex A list {number}")
        self.reason = self.detail = NOT_HELD[number]
        self.field = "list"
        self.title = f"Annex A list {number} is not held by Continuum"


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (the month's last day where it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Window:
    """The six months before the as-at day: from the same day six months earlier to the as-at day,
    both included (as at 5 December: 5 June to 5 December)."""

    as_at: date

    @property
    def start(self) -> date:
        return months_before(self.as_at, 6)

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.as_at

    def open_in(self, start: date | None, end: date | None) -> bool:
        """Whether something that began on ``start`` and ended on ``end`` (or not yet) was open on
        any day of the window, as known on the as-at day."""
        return start is not None and start <= self.as_at and (end is None or end >= self.start)


@dataclass
class Row:
    """One row of a list: the child it is of (for the audit), its cells by column key, and the
    ``sub`` of its allocated worker (named from the staff directory when it knows them)."""

    child_id: uuid.UUID
    values: dict[str, str] = field(default_factory=dict)
    worker: str | None = None

    def cells(self, annex: AnnexList, names: dict[str, str]) -> list[str]:
        worker = names.get(self.worker, self.worker) if self.worker else ""
        return [worker if c.key == "worker" else self.values.get(c.key, "") for c in annex.columns]


# --- Ofsted's template's values ---------------------------------------------------------------------

GENDER = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
ETHNICITY = {
    code: f"{letter}) {code}"
    for letter, code in zip(
        "abcdefghijklmnopqrst",
        [
            "WBRI",
            "WIRI",
            "WIRT",
            "WOTH",
            "WROM",
            "MWBC",
            "MWBA",
            "MWAS",
            "MOTH",
            "AIND",
            "APKN",
            "ABAN",
            "AOTH",
            "BCRB",
            "BAFR",
            "BOTH",
            "CHNE",
            "OOTH",
            "REFU",
            "NOBT",
        ],
        strict=True,
    )
}
SOURCE_LETTERS = dict(
    zip(
        [
            "1A",
            "1B",
            "1C",
            "1D",
            "2A",
            "2B",
            "3A",
            "3B",
            "3C",
            "3D",
            "3E",
            "3F",
            "4",
            "5A",
            "5B",
            "5C",
            "5D",
            "6",
            "7",
            "8",
            "9",
            "10",
        ],
        ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "p1", "q", "r", "s", "t", "u"],
        strict=True,
    )
)
SOURCE_GROUP = {
    "1": "Individual",
    "2A": "Schools",
    "2B": "Education services",
    "3": "Health services",
    "4": "Housing",
    "5": "LA services",
    "6": "Police",
    "7": "Other legal agency",
    "8": "Other",
    "9": "Anonymous",
    "10": "Unknown",
}
PRIMARY_NEED = {
    "N0": "N0 - Not stated",
    "N1": "N1 - Abuse or neglect",
    "N2": "N2 - Child's disability",
    "N3": "N3 - Parental disability or illness",
    "N4": "N4 - Family in acute stress",
    "N5": "N5 - Family dysfunction",
    "N6": "N6 - Socially unacceptable behaviour",
    "N7": "N7 - Low income",
    "N8": "N8 - Absent parenting",
    "N9": "N9 - Cases other than children in need",
}
REASON_FOR_CLOSURE = {
    "RC1": "RC1 - Adopted",
    "RC2": "RC2 - Died",
    "RC3": "RC3 - Child arrangements order",
    "RC4": "RC4 - Special guardianship order",
    "RC5": "RC5 - Transferred to services of another local authority",
    "RC6": "RC6 - Transferred to adult social care services",
    "RC7": "RC7 - Services ceased for any other reason, including child no longer in need",
    "RC8": "RC8 - Case closed after assessment, no further action",
    "RC9": "RC9 - Case closed after assessment, referred to early help",
}
CATEGORY = {
    "NEG": "a) Neglect",
    "PHY": "b) Physical abuse",
    "SAB": "c) Sexual abuse",
    "EMO": "d) Emotional abuse",
    "MUL": "e) Multiple/not recommended",
}
YES, NO, UNKNOWN = "a) Yes", "b) No", "c) Unknown"
CASE_STATUS_CP, CASE_STATUS_CIN, CASE_STATUS_ASSESSMENT, CASE_STATUS_CLOSED = (
    "b) Child Protection plan",
    "c) Child in need plan",
    "d) Open assessment",
    "e) Closed episode",
)


def day(value: date | None) -> str:
    """A date as Ofsted's template writes it (DD/MM/YYYY); blank when there is none."""
    return value.strftime("%d/%m/%Y") if value else ""


def yes_no(value: bool | None) -> str:
    return "" if value is None else (YES if value else NO)


def source(code: str | None) -> str:
    if not code or code not in SOURCE_LETTERS:
        return ""
    group = SOURCE_GROUP.get(code) or SOURCE_GROUP.get(code[0], "")
    return f"{SOURCE_LETTERS[code]}) {code}: {group}"


def age(born: date | None, on: date) -> str:
    if born is None or born > on:
        return ""
    return str(on.year - born.year - ((on.month, on.day) < (born.month, born.day)))


def identity_cells(identity: dict[str, Any], on: date) -> dict[str, str]:
    """The columns every list opens with, and whether the child has a disability."""
    born = date.fromisoformat(identity["date_of_birth"]) if identity.get("date_of_birth") else None
    disabilities = [str(d) for d in identity.get("disabilities") or []]
    return {
        "child": str(identity.get("la_child_id") or ""),
        "gender": GENDER.get(str(identity.get("sex")), ""),
        "ethnicity": ETHNICITY.get(str(identity.get("ethnicity")), ""),
        "date_of_birth": day(born),
        "age": age(born, on),
        "disability": UNKNOWN if not disabilities else (NO if set(disabilities) == {"NONE"} else YES),
    }
