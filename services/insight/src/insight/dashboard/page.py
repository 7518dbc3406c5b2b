"""What the dashboard page shows, made from the answer of ``GET /v1/measures`` (``MeasuresOut``,
the same use case and view): figures in cards, bar charts drawn from the same numbers (each chart
is a table of its numbers, the bars an image of them), and the filters' choices. Nothing here
counts: it only chooses, labels and formats the API's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from continuum.casework.bands import BANDS, add_months
from continuum.casework.policy import CouncilPolicy
from continuum.casework.principal import Principal
from continuum.contracts.plan import DriftKind
from insight.domain.periods import financial_year_start
from insight.schemas import FigureOut, TeamMeasuresOut

Value = int | float | None
COUNT, SHARE, DAYS, WORKING_DAYS = "count", "share", "days", "working days"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else f"{value:,}"


def shown(value: Value, kind: str) -> str:
    """A figure as people read it: 3, 52.5 working days, 33.3%; "none" when there is nothing to count."""
    if value is None:
        return "none"
    if kind == SHARE:
        return f"{round(value * 100, 1):g}%"
    if kind in (DAYS, WORKING_DAYS):
        return f"{_number(value)} {kind}"
    return _number(value)


def raw(value: Value) -> str:
    """The API's value as the page carries it for machines (``data-value``): JSON's number, or empty for null."""
    return "" if value is None else repr(value)


def change_words(figure: FigureOut, kind: str) -> str:
    if figure.value is None or figure.year_before is None or figure.change is None:
        return "no figure to compare with a year before"
    if figure.change == 0:
        return "the same as a year before"
    sign = "+" if figure.change > 0 else "−"
    size = abs(figure.change)
    if kind == SHARE:
        return f"{sign}{round(size * 100, 1):g} percentage points on a year before"
    percent = f" ({sign}{abs(figure.change_percent):g}%)" if figure.change_percent is not None else ""
    return f"{sign}{shown(size, kind)}{percent} on a year before"


@dataclass(frozen=True)
class Shown:
    """One figure: its name (the API's), label, the values as shown and as the API gave them."""

    name: str
    label: str
    kind: str
    figure: FigureOut

    @property
    def text(self) -> str:
        return shown(self.figure.value, self.kind)

    @property
    def year_before_text(self) -> str:
        return shown(self.figure.year_before, self.kind)

    @property
    def change(self) -> str:
        return change_words(self.figure, self.kind)

    @property
    def raw(self) -> str:
        return raw(self.figure.value)

    @property
    def raw_year_before(self) -> str:
        return raw(self.figure.year_before)


@dataclass(frozen=True)
class Bar:
    shown: Shown
    width: float
    year_before_width: float


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    bars: list[Bar]


@dataclass(frozen=True)
class Card:
    title: str
    figures: list[Shown]


#: The cards: each a group of the API's figures, with its label and kind.
CARDS: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "Referrals",
        [
            ("referrals", "Referrals received", COUNT),
            ("re_referrals", "Re-referrals within 12 months", COUNT),
            ("re_referral_share", "Re-referral rate", SHARE),
            ("nfa_share", "Decided no further action", SHARE),
        ],
    ),
    (
        "Assessments",
        [
            ("assessments_completed", "Assessments completed", COUNT),
            ("assessments_median_working_days", "Median time to complete", WORKING_DAYS),
            ("assessments_within_45_working_days", "Completed within 45 working days", SHARE),
        ],
    ),
    (
        "Section 47 enquiries",
        [
            ("section47s_started", "Section 47 enquiries started", COUNT),
            ("icpcs", "Initial child protection conferences", COUNT),
            ("icpcs_within_15_working_days", "Conferences within 15 working days", SHARE),
        ],
    ),
    (
        "Child in need plans",
        [
            ("cin_plans_open", "Open at the end of the period", COUNT),
            ("cin_plans_open_median_age_days", "Median age of open plans", DAYS),
            ("cin_plans_ended", "Ended in the period", COUNT),
            ("cin_plans_ended_median_days", "Median length of ended plans", DAYS),
        ],
    ),
    (
        "Child protection plans",
        [
            ("cp_plans_open", "Open at the end of the period", COUNT),
            ("cp_plans_open_median_age_days", "Median age of open plans", DAYS),
            ("cp_plans_ended", "Ended in the period", COUNT),
            ("cp_plans_ended_median_days", "Median length of ended plans", DAYS),
        ],
    ),
    (
        "Reviews and visits",
        [
            ("reviews", "Plan reviews held", COUNT),
            ("reviews_on_time", "Reviews on time", SHARE),
            ("visits", "Visits", COUNT),
            ("visits_on_time", "Visits within the visit frequency", SHARE),
            ("visits_child_seen", "Visits where the child was seen", SHARE),
        ],
    ),
    (
        "Closures",
        [
            ("closures", "Episodes closed", COUNT),
            ("closures_with_unmet_need", "Closed with unmet need", COUNT),
            ("unmet_need_share", "Share closed with unmet need", SHARE),
            ("closures_stepped_down_to_early_help", "Closed by a step-down to early help", COUNT),
        ],
    ),
    (
        "Early help and step-ups",
        [
            ("handovers_to_early_help", "Step-downs to early help requested", COUNT),
            ("early_help_acceptance", "Accepted by early help", SHARE),
            ("step_ups", "Step-ups to social care", COUNT),
            ("step_ups_within_12_months", "Step-ups within 12 months of a step-down", COUNT),
        ],
    ),
]

BAND_LABELS = {
    "under_3_months": "Under 3 months",
    "3_to_6_months": "3 to 6 months",
    "6_to_9_months": "6 to 9 months",
    "9_months_or_more": "9 months or more",
}
DRIFT_LABELS = {
    DriftKind.OPEN_OVER_THRESHOLD: "Open over the drift threshold",
    DriftKind.REVIEW_OVERDUE: "Review overdue",
    DriftKind.ACTIONS_PAST_DUE: "Actions past due",
    DriftKind.VISITS_MISSED: "Visits missed",
    DriftKind.NO_PROGRESS_SINCE_REVIEW: "No progress since the review",
}
#: The charts: id, title, description, kind, and the figures each bar shows.
CHARTS: list[tuple[str, str, str, str, list[tuple[str, str]]]] = [
    (
        "activity",
        "Work through the front door and after",
        "How many of each, in the period and the same days a year before.",
        COUNT,
        [
            ("referrals", "Referrals"),
            ("assessments_completed", "Assessments completed"),
            ("section47s_started", "Section 47 enquiries"),
            ("icpcs", "Conferences"),
            ("closures", "Closures"),
            ("step_ups", "Step-ups"),
        ],
    ),
    (
        "timeliness",
        "On time",
        "The share of each done within its timescale, in the period and a year before.",
        SHARE,
        [
            ("assessments_within_45_working_days", "Assessments within 45 working days"),
            ("icpcs_within_15_working_days", "Conferences within 15 working days"),
            ("reviews_on_time", "Reviews on time"),
            ("visits_on_time", "Visits within the frequency"),
            ("early_help_acceptance", "Step-downs accepted by early help"),
        ],
    ),
    (
        "closures",
        "Closures by how long the episode lasted",
        "Episodes closed in the period, by the time from the referral to the closure.",
        COUNT,
        [(f"closures_{band}", BAND_LABELS[band]) for band in BANDS],
    ),
    (
        "drift",
        "Drift findings by kind",
        "Plans found drifting in the period, by what was found.",
        COUNT,
        [(f"drift_{kind.value}", label) for kind, label in DRIFT_LABELS.items()],
    ),
]


def cards(measures: TeamMeasuresOut) -> list[Card]:
    return [Card(title, [Shown(n, label, kind, measures.figures[n]) for n, label, kind in figures]) for title, figures in CARDS]


def _width(value: Value, scale: float) -> float:
    return 0.0 if value is None or scale == 0 else round(100 * value / scale, 1)


def charts(measures: TeamMeasuresOut) -> list[Chart]:
    made = []
    for chart_id, title, description, kind, figures in CHARTS:
        shown_figures = [Shown(n, label, kind, measures.figures[n]) for n, label in figures]
        values = [v for s in shown_figures for v in (s.figure.value, s.figure.year_before) if v is not None]
        scale = 1.0 if kind == SHARE else float(max(values, default=0))
        bars = [Bar(s, _width(s.figure.value, scale), _width(s.figure.year_before, scale)) for s in shown_figures]
        made.append(Chart(chart_id, title, description, bars))
    return made


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool


_QUARTER_MONTHS = ("April to June", "July to September", "October to December", "January to March")


def period_options(today: date, chosen: str) -> list[Option]:
    """This financial year's quarters to date and the year, then last year's, newest first; the
    period asked for is kept among them if it is older."""
    options: list[tuple[str, str]] = []
    start = financial_year_start(today)
    for first in (start, add_months(start, -12)):
        fy = f"{first.year}-{(first.year + 1) % 100:02d}"
        for quarter in range(4, 0, -1):
            begins = add_months(first, 3 * (quarter - 1))
            if begins <= today:
                months = _QUARTER_MONTHS[quarter - 1]
                options.append((f"{fy}-Q{quarter}", f"{fy} Q{quarter}: {months} {begins.year}"))
        options.append((fy, f"{fy}: the financial year"))
    if chosen and chosen not in dict(options):
        options.append((chosen, chosen))
    return [Option(value, label, value == chosen) for value, label in options]


def current_quarter(today: date) -> str:
    start = financial_year_start(today)
    quarter = (today.month - 4) % 12 // 3 + 1
    return f"{start.year}-{(start.year + 1) % 100:02d}-Q{quarter}"


def team_options(principal: Principal, policy: CouncilPolicy, chosen: str) -> list[Option]:
    everyone = principal.sees_all_teams
    first = Option("", "All teams" if everyone else "All your teams", chosen == "")
    teams = [t for t in policy.teams if everyone or t.id in principal.teams]
    return [first, *(Option(t.id, t.name, t.id == chosen) for t in teams)]
