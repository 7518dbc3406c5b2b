"""A merged history cut into each service's part (decision 59): what the referral, assessment, plan
and step-down services' import paths take, child by child, as the JSON they read.

What a census return does not say outright is derived here, once, the same for every service:
the front door's decision (an NFA, an assessment, a strategy discussion), an authorised
assessment's outcome, how an ended plan ended, and which record is an open episode's current stage
(the one whose owner tells partners). The team comes from the caller (the return has none)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from continuum_tools.importing.records import Assessment, Child, CinPlan, CpPlan, Episode, Preproceedings, Section47

#: What each service's import path is called, in the order the command writes them.
PATHS = {
    "referral": "/v1/imports/children",
    "assessment": "/v1/imports/assessments",
    "plan": "/v1/imports/plans",
    "stepdown": "/v1/imports/closures",
}

#: Reasons a plan's closure may give (RC8 and RC9 close an episode without statutory work).
_PLAN_CLOSURES = {"RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7"}


@dataclass(frozen=True)
class Identity:
    """What a council adds from its own records, by LA child id (a census return has none of it)."""

    given_name: str | None = None
    family_name: str | None = None
    nhs_number: str | None = None
    postcode: str | None = None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def current_record(episode: Episode, end: date) -> object | None:
    """The record that is an episode's current stage on ``end`` (the last day of the history), or
    ``None`` when the episode is closed by then: an open CP plan, else an open CIN plan, else an
    open section 47, else an open assessment, else the referral itself (the episode)."""
    if episode.closure is not None and episode.closure <= end:
        return None
    for plans in (episode.cp_plans, episode.cin_plans):
        open_plans = [p for p in plans if p.end is None]
        if open_plans:
            return max(open_plans, key=lambda p: p.start)
    enquiries = [s for s in episode.section47s if s.icpc is None and not s.icpc_not_required]
    if enquiries:
        return max(enquiries, key=lambda s: s.start)
    assessments = [a for a in episode.assessments if a.authorised is None]
    if assessments:
        return max(assessments, key=lambda a: a.start or date.min)
    return episode


def front_door_decision(episode: Episode) -> str:
    """What the front door decided: NFA, a strategy discussion (a section 47 came first), or an
    assessment (also for an episode the return shows nothing more of yet)."""
    if episode.referral_nfa:
        return "nfa"
    first_s47 = min((s.start for s in episode.section47s), default=None)
    first_assessment = min((a.start for a in episode.assessments if a.start), default=None)
    if first_s47 is not None and (first_assessment is None or first_s47 <= first_assessment):
        return "strategy_discussion"
    return "assessment"


def assessment_outcome(episode: Episode, assessment: Assessment) -> str | None:
    """An authorised assessment's outcome: a plan that started from it on or after its
    authorisation (CP before CIN), else the episode's closure (RC8 no further action, RC9 early
    help), else a CIN plan if the episode stays open."""
    if assessment.authorised is None:
        return None
    after = assessment.authorised
    if any(p.start >= after for p in episode.cp_plans):
        return "child_protection"
    if any(p.start >= after for p in episode.cin_plans):
        return "cin_plan"
    if episode.reason_for_closure == "RC9":
        return "early_help"
    if episode.closure is None:
        return "cin_plan"
    return "nfa"


def ending(episode: Episode, plan: CinPlan | CpPlan) -> tuple[str | None, str | None]:
    """How an ended plan ended (``next_step``, ``reason_for_closure``): the episode closed that day
    (close, with its reason when a plan may give it), a CP plan started that day after a CIN plan
    (escalate_cp), a CIN plan after a CP plan (step_down_cin), else universal services."""
    if plan.end is None:
        return None, None
    if isinstance(plan, CinPlan) and any(p.start == plan.end for p in episode.cp_plans):
        return "escalate_cp", None
    if isinstance(plan, CpPlan) and any(p.start == plan.end for p in episode.cin_plans):
        return "step_down_cin", None
    if episode.closure == plan.end and episode.reason_for_closure in _PLAN_CLOSURES:
        return "close", episode.reason_for_closure
    return "universal", None


def _referral_part(child: Child, team: str, identity: Identity, end: date) -> dict[str, Any]:
    return {
        "la_child_id": child.la_child_id,
        "upn": child.upn,
        "former_upn": child.former_upn,
        "upn_unknown_reason": child.upn_unknown,
        "date_of_birth": _day(child.birth_date),
        "expected_date_of_birth": _day(child.expected_birth_date),
        "sex": child.sex or "U",
        "ethnicity": child.ethnicity,
        "disabilities": list(child.disabilities),
        "date_of_death": _day(child.death_date),
        "given_name": identity.given_name,
        "family_name": identity.family_name,
        "nhs_number": identity.nhs_number,
        "postcode": identity.postcode,
        "team": team,
        "episodes": [
            {
                "referral_date": _day(e.referral_date),
                "source": e.source,
                "referral_nfa": bool(e.referral_nfa),
                "decision": front_door_decision(e),
                "current_status": current_record(e, end) is e,
                "primary_need": e.primary_need,
            }
            for e in child.episodes
        ],
    }


def _assessment_part(child: Child, team: str, end: date) -> dict[str, Any] | None:
    episodes = []
    for e in child.episodes:
        if not (e.assessments or e.section47s):
            continue
        current = current_record(e, end)
        episodes.append(
            {
                "referral_date": _day(e.referral_date),
                "primary_need": e.primary_need,
                "assessments": [
                    {
                        "start": _day(a.start),
                        "authorised": _day(a.authorised),
                        "factors": list(a.factors),
                        "outcome": assessment_outcome(e, a),
                        "current_status": current is a,
                    }
                    for a in e.assessments
                ],
                "section47s": [_section47(s, current is s) for s in e.section47s],
            }
        )
    return {"la_child_id": child.la_child_id, "team": team, "episodes": episodes} if episodes else None


def _section47(s: Section47, current: bool) -> dict[str, Any]:
    return {
        "start": _day(s.start),
        "icpc_target": _day(s.icpc_target),
        "icpc": _day(s.icpc),
        "icpc_not_required": bool(s.icpc_not_required),
        "current_status": current,
    }


def _plan(e: Episode, plan: CinPlan | CpPlan, current: object | None) -> dict[str, Any]:
    next_step, reason = ending(e, plan)
    part: dict[str, Any] = {
        "start": _day(plan.start),
        "end": _day(plan.end),
        "next_step": next_step,
        "reason_for_closure": reason,
        "current_status": current is plan,
    }
    if isinstance(plan, CpPlan):
        part |= {
            "initial_category": plan.initial_category,
            "latest_category": plan.latest_category,
            "previous_plans": plan.previous_plans,
            "reviews": [_day(r) for r in plan.reviews],
        }
    else:
        part["reviews"] = []  # a return carries no CIN plan's reviews
    return part


def _preproceedings(p: Preproceedings) -> dict[str, Any]:
    return {
        "start": _day(p.start),
        "letter": _day(p.letter),
        "fgdm_offered": p.fgdm_offered,
        "fgdm_held": p.fgdm_held,
        "initial_meeting": _day(p.initial_meeting),
        "review_meetings": p.review_meetings,
        "decided": _day(p.decided),
        "outcome": p.outcome,
        "court_application": _day(p.court_application),
        "letter_initiating": _day(p.letter_initiating),
    }


def _plan_part(child: Child, team: str, end: date) -> dict[str, Any] | None:
    episodes = []
    for e in child.episodes:
        if not (e.cin_plans or e.cp_plans or e.preproceedings):
            continue
        current = current_record(e, end)
        episodes.append(
            {
                "referral_date": _day(e.referral_date),
                "cin_plans": [_plan(e, p, current) for p in e.cin_plans],
                "cp_plans": [_plan(e, p, current) for p in e.cp_plans],
                "preproceedings": [_preproceedings(p) for p in e.preproceedings],
            }
        )
    return {"la_child_id": child.la_child_id, "team": team, "episodes": episodes} if episodes else None


def _closure_part(child: Child, team: str) -> dict[str, Any] | None:
    episodes = [
        {
            "referral_date": _day(e.referral_date),
            "closure_date": _day(e.closure),
            "reason_for_closure": e.reason_for_closure,
            "referral_nfa": bool(e.referral_nfa),
            "assessed": any(a.authorised for a in e.assessments),
            "statutory": bool(e.section47s or e.cin_plans or e.cp_plans or e.initial_cpc),
            "unmet_need": None,
        }
        for e in child.episodes
        if e.closure is not None
    ]
    return {"la_child_id": child.la_child_id, "team": team, "episodes": episodes} if episodes else None


def parts(
    children: Iterable[Child],
    *,
    end: date,
    team_of: Callable[[str], str],
    identities: Mapping[str, Identity] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Each service's part of ``children`` (by service name, in :data:`PATHS`' order), as of ``end``
    (the last day the history speaks of: an episode open then is live)."""
    known = identities or {}
    out: dict[str, list[dict[str, Any]]] = {service: [] for service in PATHS}
    for child in children:
        team = team_of(child.la_child_id)
        out["referral"].append(_referral_part(child, team, known.get(child.la_child_id, Identity()), end))
        for service, part in (
            ("assessment", _assessment_part(child, team, end)),
            ("plan", _plan_part(child, team, end)),
            ("stepdown", _closure_part(child, team)),
        ):
            if part is not None:
                out[service].append(part)
    return out
