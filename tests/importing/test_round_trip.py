"""Issue 20's round trip: a council's generated returns of several years imported into the four case
services through their import paths (as ``continuum import census`` sends them), then the census of
the last of those years, as the insight service builds it from the events, validates with the DfE's
validator and holds every child and episode the imported return held, element by element; a second
import changes nothing; a return with a bad child imports the others and writes nothing of it; the
measures show the imported years' figures in their real quarters; an open CIN plan is on its team's
worklist with its real next review date.

The services run in this process on their own databases and a broker of this module's own
(``five_services``, as the census year does); the command's own HTTP sending is the same code
(``continuum_tools.importing.send``) over in-process transports."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from year_of_journeys import Stack, five_services

from continuum_tools.devstack import TansuBroker
from continuum_tools.importing.census_reader import read_census
from continuum_tools.importing.generate import generate_history
from continuum_tools.importing.merge import History, merge
from continuum_tools.importing.payloads import PATHS, parts
from continuum_tools.importing.records import Assessment, CensusFile, Child, CinPlan, CpPlan, Episode, Section47
from continuum_tools.importing.send import Sent, send
from continuum_tools.testing import eventually, start_broker
from continuum_tools.testing.cin_validator import validate

#: The collection years imported (each ending 31 March of the year) and the council.
YEARS = range(2022, 2027)
LA = "999"


@pytest.fixture(scope="module")
def import_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    broker = start_broker(tmp_path_factory.mktemp("history-import-tansu"))
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
async def stack(make_database: Callable[[str, Path], str], import_broker: TansuBroker) -> AsyncIterator[Stack]:
    async with five_services(make_database, import_broker.bootstrap, "history_import") as running:
        yield running


@pytest.fixture(scope="module")
def returns() -> list[bytes]:
    return generate_history(20, YEARS, referrals_per_year=25, la=LA)


async def import_history(stack: Stack, history: History, *, source: str, dry_run: bool = False) -> Sent:
    cut = parts(history.children, end=date(max(YEARS), 3, 31), team_of=lambda _: "north")
    async with AsyncExitStack() as clients:
        importers = {s: await clients.enter_async_context(stack.client(s, "importer", teams=())) for s in PATHS}
        return await send(cut, importers, source=source, la=LA, dry_run=dry_run)


async def census_of(stack: Stack, year: int) -> bytes:
    """Insight's census of ``year`` as at its 31 March."""
    async with stack.client("insight", "performance", teams=()) as performance:
        answer = await performance.get(f"/v1/census/{year}", params={"as_at": f"{year}-03-31"})
    assert answer.status_code == 200, answer.text
    content: bytes = answer.content
    return content


def differing(ours: bytes, theirs: CensusFile) -> list[tuple[Child | None, Child]]:
    """The children of ``theirs`` that ``ours`` does not hold alike (or at all), with ours beside them."""
    by_id = {c.la_child_id: comparable(c) for c in read_census(ours).children}
    return [(by_id.get(c.la_child_id), comparable(c)) for c in theirs.children if by_id.get(c.la_child_id) != comparable(c)]


def comparable(child: Child) -> Child:
    """A child as both returns can carry it: the sex by its census code (the older layouts'
    GenderCurrent aside), an assessment's factors as a set (their order in a return says nothing)."""
    episodes = tuple(
        replace(e, assessments=tuple(replace(a, factors=tuple(sorted(a.factors))) for a in e.assessments)) for e in child.episodes
    )
    return replace(child, gender_current=None, episodes=episodes)


@pytest.fixture(scope="module")
async def imported(stack: Stack, returns: list[bytes]) -> tuple[History, Sent]:
    history = merge([read_census(xml) for xml in returns])
    assert history.problems == ()
    sent = await import_history(stack, history, source="cin-2022-to-2026.xml")
    return history, sent


async def test_the_last_years_census_round_trips_and_the_dfe_validator_passes(
    stack: Stack, returns: list[bytes], imported: tuple[History, Sent], tmp_path: Path
) -> None:
    _, sent = imported
    assert sent.refused == {}, sent.refused
    assert sent.counts["referral"]["imported"] > 0
    last = read_census(returns[-1])

    async def alike() -> bool:  # insight reads the services' events as they come
        return not differing(await census_of(stack, max(YEARS)), last)

    try:
        await eventually(alike, within=120, interval=1.0, what="insight's census holding the imported return")
    finally:
        xml = await census_of(stack, max(YEARS))
        apart = differing(xml, last)
        assert apart == [], f"{len(apart)} of {len(last.children)} children differ; the first: {apart[0]}"
    ours = read_census(xml)
    assert ours.problems == ()
    assert sorted(c.la_child_id for c in ours.children) == sorted(c.la_child_id for c in last.children)
    path = tmp_path / "census.xml"
    path.write_bytes(xml)
    report = validate(path, ruleset=f"cin{max(YEARS) - 1}_{max(YEARS) % 100:02d}")
    assert report.rules > 100 and not report.crashed
    assert report.errors == [], report.errors


async def test_importing_the_same_returns_again_changes_nothing(stack: Stack, imported: tuple[History, Sent]) -> None:
    history, _ = imported
    again = await import_history(stack, history, source="cin-2022-to-2026.xml")
    assert again.refused == {}
    for service, counts in again.counts.items():
        assert counts["imported"] == counts["updated"] == 0 and counts["unchanged"] > 0, (service, counts)


def _quarters(year: int) -> list[tuple[str, date, date]]:
    """The financial quarters of the collection year ending 31 March ``year``: name, first, last day."""
    y = year - 1
    bounds = [
        (date(y, 4, 1), date(y, 6, 30)),
        (date(y, 7, 1), date(y, 9, 30)),
        (date(y, 10, 1), date(y, 12, 31)),
        (date(year, 1, 1), date(year, 3, 31)),
    ]
    return [(f"{y}-{year % 100:02d}-Q{n}", first, last) for n, (first, last) in enumerate(bounds, start=1)]


async def test_the_measures_show_the_imported_years_figures_in_their_real_quarters(
    stack: Stack, imported: tuple[History, Sent]
) -> None:
    history, _ = imported
    episodes = [e for child in history.children for e in child.episodes]
    async with stack.client("insight", "performance", teams=()) as performance:
        for year in (2023, 2024, 2025):
            for name, first, last in _quarters(year):
                answer = await performance.get("/v1/measures", params={"period": name})
                assert answer.status_code == 200, answer.text
                figures = {k: v["value"] for k, v in answer.json()["total"]["figures"].items()}
                expected = {
                    "referrals": sum(first <= e.referral_date <= last for e in episodes),
                    "closures": sum(e.closure is not None and first <= e.closure <= last for e in episodes),
                    "assessments_completed": sum(
                        a.authorised is not None and first <= a.authorised <= last for e in episodes for a in e.assessments
                    ),
                    "cp_plans_ended": sum(p.end is not None and first <= p.end <= last for e in episodes for p in e.cp_plans),
                }
                assert {k: figures[k] or 0 for k in expected} == expected, name


async def test_a_child_one_service_refuses_is_written_by_none_and_the_others_are_imported(stack: Stack) -> None:
    """The plan service refuses a CP plan with no initial category; the dry run at every service
    finds it before any writes, so the referral, assessment and step-down services write nothing of
    that child either, and the good child is imported whole."""
    referral, start = date(2024, 5, 1), date(2024, 5, 20)
    authorised = Assessment(referral, authorised=date(2024, 5, 15), factors=("2B",))
    episode = Episode(referral, source="1A", primary_need="N1", cin_plans=(CinPlan(start),), assessments=(authorised,))
    good = Child(
        "GOODCHILD1", sex="F", birth_date=date(2015, 1, 1), ethnicity="WBRI", disabilities=("NONE",), upn_unknown="UN2",
        episodes=(episode,),
    )  # fmt: skip
    bad_plan = replace(episode, cin_plans=(), cp_plans=(CpPlan(start),), section47s=(Section47(referral, icpc=start),))
    bad = replace(good, la_child_id="BADCHILD01", episodes=(bad_plan,))
    sent = await import_history(stack, History(children=(good, bad), years=(2025,)), source="cin-bad.xml")
    assert list(sent.refused) == ["BADCHILD01"] and sent.refused["BADCHILD01"][0].startswith("plan: "), sent.refused
    assert sent.counts["referral"]["imported"] == 1 and sent.counts["plan"]["imported"] == 1

    fixed = replace(bad, episodes=(replace(bad_plan, cp_plans=(CpPlan(start, initial_category="NEG"),)),))
    again = await import_history(stack, History(children=(good, fixed), years=(2025,)), source="cin-bad.xml")
    assert again.refused == {}
    # Nothing of the refused child had been written: now it is new everywhere, the good one unchanged.
    for service in ("referral", "assessment", "plan"):
        assert (again.counts[service]["imported"], again.counts[service]["unchanged"]) == (1, 1), (service, again.counts)
