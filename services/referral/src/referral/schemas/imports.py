"""The import path's request (decision 59): a batch of children of a council's history, each with
its census record and its episodes' referrals. Census codes come as text and are checked child by
child (a bad code refuses that child alone, in the answer's ``problems``); the body's shape and
lengths are checked whole (422)."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from continuum.web.imports import BATCH_LIMIT, ImportAnswer
from continuum.web.limits import Day
from referral import examples
from referral.domain.imports import ImportedChild, ImportedEpisode
from referral.schemas.vocabulary import (
    DateOfBirth,
    DateOfDeath,
    ExpectedDateOfBirth,
    FamilyName,
    FormerUpn,
    GivenName,
    NhsNumber,
    Outcome,
    Postcode,
    Strict,
    Team,
    Upn,
    doc,
)

#: A census code as text (checked against its list child by child).
_Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4)]
#: At most this many episodes of one child in a batch.
EPISODE_LIMIT = 200


class EpisodeIn(Strict):
    """An episode's referral as the return shows it, and the front door's decision."""

    referral_date: Annotated[Day, doc("Census ReferralDate: the day the referral was received")]
    source: Annotated[_Code, doc("Census ReferralSource code (e.g. 6 for the police)")]
    referral_nfa: Annotated[bool, doc("Census ReferralNFA: true exactly when the decision is nfa or early_help")]
    decision: Outcome
    current_status: Annotated[
        bool, doc("The referral is the open episode's current stage: partners are told it is referred, since its date")
    ] = False
    primary_need: Annotated[
        _Code | None, doc("Census PrimaryNeedCode (N0 to N9) the return gives the episode: kept on the front door's decision")
    ] = None

    def episode(self) -> ImportedEpisode:
        return ImportedEpisode(**self.model_dump())


class ImportedChildIn(Strict):
    """A child of the history: its census record (names, NHS number and postcode when the council
    has them: a return carries none), the team to hold its referrals, and its episodes."""

    la_child_id: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=36),
        doc("Census LAchildID (1 to 20 letters and digits)"),
    ]
    upn: Upn = None
    former_upn: FormerUpn = None
    upn_unknown_reason: Annotated[_Code | None, doc("Census UPNunknown (UN1 to UN7), only without a UPN")] = None
    date_of_birth: DateOfBirth = None
    expected_date_of_birth: ExpectedDateOfBirth = None
    sex: Annotated[_Code, doc("Census sex code: M, F, or U for an unborn child")]
    ethnicity: Annotated[_Code | None, doc("Census ethnicity code (e.g. WBRI); a child without one is refused")] = None
    disabilities: Annotated[list[_Code], Field(max_length=20), doc("Census disability codes; none given is NONE")] = Field(
        default_factory=list
    )
    date_of_death: DateOfDeath = None
    given_name: Annotated[GivenName | None, doc("The child's given name, if the council has it (a return has none)")] = None
    family_name: Annotated[FamilyName | None, doc("The child's family name, if the council has it (a return has none)")] = None
    nhs_number: NhsNumber = None
    postcode: Postcode = None
    team: Team
    episodes: Annotated[list[EpisodeIn], Field(min_length=1, max_length=EPISODE_LIMIT), doc("The child's episodes' referrals")]

    def child(self) -> ImportedChild:
        values = self.model_dump(exclude={"episodes", "disabilities"})
        return ImportedChild(**values, disabilities=tuple(self.disabilities), episodes=tuple(e.episode() for e in self.episodes))


class ChildrenImportIn(Strict):
    """A batch of a council's history for the referral service: children and their referrals."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.IMPORT]})

    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), doc("The file imported")]
    la: Annotated[str, StringConstraints(pattern=r"^\d{3}$", max_length=3), doc("The council's LA code (3 digits)")]
    children: Annotated[list[ImportedChildIn], Field(min_length=1, max_length=BATCH_LIMIT), doc("The children, at most 200")]

    def imported_children(self) -> tuple[ImportedChild, ...]:
        return tuple(c.child() for c in self.children)


class ChildrenImportAnswer(ImportAnswer):
    """What an import call did (or, in a dry run, would do): the kernel's answer, with its example."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.IMPORT_ANSWER]})
