"""The managers' measures' journeys: children whose figures are known by construction, as the
four services' contract events (``census_journeys``), handed to insight's real consumer once a
test session (``test_measures`` and ``test_dashboard`` both read them, so they live here once).

They are dated in the financial quarter 2019-20 Q1 and the same quarter a year before, which no
other test of the service writes into; teams east and south (the period's only teams).
"""

from __future__ import annotations

from datetime import date

from census_journeys import Child, Episode
from insight_support import Cases

from continuum.casework.calendar import add_working_days

D = date
Q1 = {"period": "2019-20-Q1"}
_delivered: set[int] = set()


def journeys() -> list[Child]:
    children = [Child().registered(D(2018, 1, 2)) for _ in range(10)]
    a, b, c, d, e, f, h, i, j, s = children
    # East. A: referred, assessed in exactly 45 working days, on a CIN plan open at the quarter's end.
    ep = Episode(a, team="east").referred(D(2019, 4, 2), "assessment")
    ep.assessed(D(2019, 4, 3), add_working_days(D(2019, 4, 2), 45), "cin_plan")
    plan = ep.plan("cin", D(2019, 6, 3), reviews=(D(2019, 6, 20),))
    ep.visit(plan, D(2019, 6, 10), within_frequency=True).visit(plan, D(2019, 6, 24), within_frequency=False, child_seen=False)
    ep.drift(plan, D(2019, 6, 25))
    # B: NFA a year before (closed then), re-referred within 12 months, NFA again and closed.
    Episode(b, team="east").referred(D(2018, 6, 15), "nfa").closed(D(2018, 6, 15), "RC8", nfa=True, assessed=False)
    Episode(b, team="east").referred(D(2019, 5, 1), "nfa", re_referral=True).closed(
        D(2019, 5, 1), "RC8", nfa=True, assessed=False
    )
    # C: referred before the quarter, assessed late (60 working days), stepped down to early help,
    # accepted and closed with unmet need 3 months and 16 days after the referral.
    ep = Episode(c, team="east").referred(D(2019, 1, 10), "assessment")
    ep.assessed(D(2019, 1, 11), add_working_days(D(2019, 1, 10), 60), "early_help")
    ep.handover(D(2019, 4, 25), answer="accepted", on=D(2019, 4, 26))
    ep.closed(D(2019, 4, 26), "RC9", kind="early_help", unmet_need=True)
    # D: closed exactly 6 months after the referral (31 December + 6 months = 30 June): 6 to 9 months.
    Episode(d, team="east").referred(D(2018, 12, 31), "assessment").closed(D(2019, 6, 30), "RC8")
    # South. E: section 47 from a strategy discussion on 10 April, ICPC 15 working days later
    # (over Easter: Good Friday 19 April and Easter Monday 22 April), a CP plan open at the end.
    icpc_e = add_working_days(D(2019, 4, 10), 15)
    ep = Episode(e, team="south").referred(D(2019, 4, 10), "strategy_discussion")
    ep.section47(D(2019, 4, 10), icpc=icpc_e, target=icpc_e)
    ep.plan("cp", icpc_e, category="NEG")
    # F: ICPC 16 working days after the strategy discussion (late); its CP plan ended on 14 June;
    # a handover to early help on the day, declined.
    icpc_f, target_f = add_working_days(D(2019, 4, 11), 16), add_working_days(D(2019, 4, 11), 15)
    ep = Episode(f, team="south").referred(D(2019, 4, 11), "strategy_discussion")
    ep.section47(D(2019, 4, 12), icpc=icpc_f, target=target_f, strategy=D(2019, 4, 11))
    cp = ep.plan("cp", icpc_f, category="NEG")
    ep.plan_ended(cp, "cp", icpc_f, D(2019, 6, 14), "step_down_cin", category="NEG")
    ep.handover(D(2019, 6, 14), answer="declined", on=D(2019, 6, 17))
    # H: received on 3 June, not decided yet.
    Episode(h, team="south").referred(D(2019, 6, 3), None)
    # Step-ups to south: one within 12 months of a step-down, one not after one.
    Episode(s, team="south").step_up(D(2019, 5, 15), within_12_months=True).step_up(D(2019, 5, 20), within_12_months=None)
    # The year before: I (east) assessed in time; J (south) NFA.
    Episode(i, team="east").referred(D(2018, 4, 5), "assessment").assessed(D(2018, 4, 6), D(2018, 5, 1), "cin_plan")
    Episode(j, team="south").referred(D(2018, 5, 10), "nfa")
    return children


async def delivered(cases: Cases) -> None:
    """The journeys, handed to the consumer once a session (the database is the session's)."""
    if id(cases.app) not in _delivered:
        _delivered.add(id(cases.app))
        for child in journeys():
            await cases.deliver_all(child.events)
