"""The family's copy of the plan: a printable, accessible HTML page in plain English.

It says what people are worried about, what is going well, what needs to change, who does what by
when, how everyone will know the plan has worked, when the next review is and who to call. It
leaves out what is for professionals only: census codes (factors, primary need, category of
abuse), drift, pre-proceedings, review and visit notes, and the people invited to meetings.
Everything the practitioner typed is escaped. One language (``lang="en"``), headings in order
(h1, h2, h3), no images at all, so no text in images.
"""

from __future__ import annotations

from datetime import date
from html import escape

from continuum.casework.policy import CouncilPolicy
from continuum.contracts.plan import Agency, PlanType
from plan.domain import PlanState
from plan.domain.states import ActionProgress

AGENCY_WORDS = {
    Agency.FAMILY: "Family",
    Agency.SOCIAL_CARE: "Children's social care",
    Agency.POLICE: "Police",
    Agency.HEALTH: "Health service",
    Agency.GP: "Doctor (GP)",
    Agency.SCHOOL: "School",
    Agency.EARLY_YEARS: "Nursery or early years",
    Agency.PROBATION: "Probation service",
    Agency.ADULT_MENTAL_HEALTH: "Adult mental health service",
    Agency.SUBSTANCE_MISUSE: "Drug and alcohol service",
    Agency.DOMESTIC_ABUSE_SERVICE: "Domestic abuse service",
    Agency.HOUSING: "Housing",
    Agency.YOUTH_JUSTICE: "Youth justice service",
    Agency.EARLY_HELP: "Early help",
    Agency.VOLUNTARY_SECTOR: "Community or charity service",
    Agency.OTHER: "Other service",
}
PROGRESS_WORDS = {
    ActionProgress.DONE: "Done",
    ActionProgress.IN_PROGRESS: "Started",
    ActionProgress.NOT_STARTED: "Not started yet",
    ActionProgress.DROPPED: "No longer needed",
}

STYLE = (
    "body{font-family:Arial,Helvetica,sans-serif;font-size:1.1rem;line-height:1.5;max-width:48rem;margin:1rem auto;"
    "padding:0 1rem;color:#0b0c0c}table{border-collapse:collapse;width:100%}th,td{border:1px solid #505a5f;"
    "padding:.4rem;text-align:left;vertical-align:top}@media print{body{font-size:12pt}}"
)


def long_date(day: date) -> str:
    """A date as people write it: Monday 11 January 2027."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def _para(text: str | None, missing: str) -> str:
    if not text or not text.strip():
        return f"<p>{escape(missing)}</p>"
    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())


def next_check(plan: PlanState, *, today: date) -> str:
    """When the family will next look at the plan with everyone: the review's date, or, when the
    review is overdue, that it is being arranged (never a promise of a date already past)."""
    if plan.ending is not None:
        return f"This plan ended on {long_date(plan.ending.end_date)}."
    if plan.next_review_due is None:
        return "The plan has not started yet. Your social worker will tell you when you will next meet."
    if plan.next_review_due < today:
        return (
            f"The meeting to look at the plan again is overdue: it was due by {long_date(plan.next_review_due)}. "
            "Your social worker is arranging it and will tell you the date."
        )
    return f"We will meet to look at the plan again by {long_date(plan.next_review_due)}."


def render(plan: PlanState, *, child_name: str | None, policy: CouncilPolicy, today: date) -> str:
    """The family copy of ``plan`` as a complete HTML document, as it stands on ``today``."""
    who = escape(child_name) if child_name else "your child"
    kind = "child protection plan" if plan.plan_type is PlanType.CP else "child in need plan"
    team = policy.team(plan.team)
    c = plan.content
    rows = "".join(
        "<tr>"
        f"<td>{escape(a.description)}</td>"
        f"<td>{escape(a.owner.person)} ({escape(AGENCY_WORDS[a.owner.agency])})</td>"
        f"<td>{escape(long_date(a.due_date))}</td>"
        f"<td>{escape(a.success_measure)}</td>"
        f"<td>{escape(PROGRESS_WORDS[a.progress])}</td>"
        "</tr>"
        for a in plan.actions
    )
    actions = (
        "<table><caption>What each person will do</caption><thead><tr>"
        '<th scope="col">What will happen</th><th scope="col">Who will do it</th><th scope="col">By when</th>'
        '<th scope="col">How we will know it has worked</th><th scope="col">How it is going</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
        if plan.actions
        else "<p>There are no actions on the plan yet.</p>"
    )
    review = f"<p>{escape(next_check(plan, today=today))}</p>"
    call = f"<p>{escape(team.name)}: {escape(team.contact)}</p>" if team else f"<p>{escape(policy.front_door_team.contact)}</p>"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>The plan for {who}</title><style>{STYLE}</style></head><body><main>"
        f"<h1>The plan for {who}</h1>"
        f"<p>This is the {kind} that you, the people who help your family and {escape(policy.council_name)} agreed. "
        "It says what needs to change and who will do what.</p>"
        "<h2>What we are worried about</h2>"
        f"{_para(c.worries, 'Your social worker will talk to you about this.')}"
        "<h2>What is going well</h2>"
        f"{_para(c.working_well, 'Your social worker will talk to you about this.')}"
        "<h2>What needs to change</h2>"
        f"<h3>For {who}</h3>{_para(c.outcomes_for_child, 'Not written yet.')}"
        f"<h3>What parents and carers need to do</h3>{_para(c.expectations_of_parents, 'Not written yet.')}"
        f"<h2>Who will do what, and by when</h2>{actions}"
        f"<h2>How we will know the plan can end</h2>{_para(c.exit_criteria, 'Not written yet.')}"
        f"<h2>When we will next check the plan</h2>{review}"
        f"<h2>Who to call</h2>{call}"
        "</main></body></html>"
    )
