"""Merging a council's returns of several years into one history per child: an episode open across
31 March completed by the next return, the newest identifiers winning, and each contradiction
decided for the newer return and reported."""

from __future__ import annotations

from datetime import date

from continuum_tools.importing.merge import merge
from continuum_tools.importing.records import (
    Assessment,
    CensusFile,
    Child,
    CpPlan,
    Episode,
    Header,
    Problem,
)


def year(y: int, *children: Child) -> CensusFile:
    return CensusFile(header=Header(collection="CIN", year=y, reference_date=date(y, 3, 31)), children=children)


def test_a_child_across_three_returns_has_one_history() -> None:
    plan_2019 = CpPlan(date(2018, 11, 1), None, "NEG", "NEG", 0, (date(2019, 1, 20),))
    open_2019 = Episode(
        date(2018, 10, 1), "6", "N1", None, None, False,
        assessments=(Assessment(date(2018, 10, 2), None, date(2018, 10, 30), ("3B",)),),
        cp_plans=(plan_2019,),
    )  # fmt: skip
    plan_2020 = CpPlan(date(2018, 11, 1), date(2019, 9, 1), "NEG", "NEG", 0, (date(2019, 7, 15),))
    open_2020 = Episode(date(2018, 10, 1), "6", "N1", None, None, False, cp_plans=(plan_2020,))
    closed_2021 = Episode(date(2018, 10, 1), "6", "N1", date(2020, 5, 1), "RC7", False)
    again_2021 = Episode(date(2020, 9, 1), "2A", "N4", None, None, False)

    history = merge(
        [
            year(2021, Child("C1", sex="F", ethnicity="WIRI", episodes=(closed_2021, again_2021))),
            year(2019, Child("C1", sex="F", gender_current="2", ethnicity="WBRI", episodes=(open_2019,))),
            year(2020, Child("C1", sex="F", gender_current="2", ethnicity="WBRI", episodes=(open_2020,))),
        ]
    )

    assert history.problems == ()
    assert history.years == (2019, 2020, 2021)
    [child] = history.children
    assert (child.ethnicity, child.gender_current) == ("WIRI", None)  # the newest return's
    first, second = child.episodes
    assert (first.closure, first.reason_for_closure) == (date(2020, 5, 1), "RC7")
    assert first.assessments == open_2019.assessments  # returned once, kept
    [plan] = first.cp_plans
    assert plan.end == date(2019, 9, 1)
    assert plan.reviews == (date(2019, 1, 20), date(2019, 7, 15))  # each return's reviews of its year
    assert second == again_2021


def test_a_closure_a_newer_return_leaves_out_is_reported_and_the_episode_stays_open() -> None:
    closed = Episode(date(2018, 10, 1), "6", "N1", date(2019, 3, 1), "RC7", False)
    reopened = Episode(date(2018, 10, 1), "6", "N1", None, None, False)

    history = merge([year(2019, Child("C1", episodes=(closed,))), year(2020, Child("C1", episodes=(reopened,)))])

    [episode] = history.children[0].episodes
    assert (episode.closure, episode.reason_for_closure) == (None, None)
    assert history.problems == (Problem("C1", "CINdetails[2018-10-01]/closure", "left out by the 2020 return; open as it says"),)


def test_a_changed_value_is_the_newer_returns_and_reported() -> None:
    older = Episode(date(2018, 10, 1), "6", "N1", date(2019, 4, 10), "RC7", False)
    newer = Episode(date(2018, 10, 1), "6", "N1", date(2019, 4, 12), "RC3", False)

    history = merge([year(2019, Child("C1", episodes=(older,))), year(2020, Child("C1", episodes=(newer,)))])

    assert history.children[0].episodes == (newer,)
    assert [p.element for p in history.problems] == [
        "CINdetails[2018-10-01]/closure",
        "CINdetails[2018-10-01]/reason_for_closure",
    ]


def test_an_episode_open_at_31_march_missing_from_the_next_return_is_reported_and_kept() -> None:
    still_open = Episode(date(2018, 10, 1), "6", "N1", None, None, False)

    history = merge([year(2019, Child("C1", episodes=(still_open,))), year(2020, Child("C2", episodes=(still_open,)))])

    assert history.children[0].episodes == (still_open,)
    assert history.problems == (
        Problem("C1", "CINdetails[2018-10-01]", "open at the end of 2019, not in the 2020 return; kept open"),
    )


def test_episodes_that_overlap_across_returns_leave_the_child_out() -> None:
    first = Episode(date(2018, 10, 1), "6", "N1", date(2019, 6, 1), "RC7", False)
    second = Episode(date(2019, 5, 1), "6", "N1", None, None, False)

    history = merge([year(2019, Child("C1", episodes=(first,)), Child("C2")), year(2020, Child("C1", episodes=(second,)))])

    assert [c.la_child_id for c in history.children] == ["C2"]
    assert history.problems[-1] == Problem("C1", "CINdetails", "the child's episodes overlap across the returns; left out")


def test_a_child_a_return_could_not_read_is_left_out_of_the_history() -> None:
    episode = Episode(date(2018, 10, 1), "6", "N1", date(2018, 12, 1), "RC7", False)
    bad = CensusFile(
        header=Header(collection="CIN", year=2020, reference_date=date(2020, 3, 31)),
        children=(),
        problems=(Problem("C1", "CINdetails/ReferralSource", "'Z9' is not a code of the DfE list"),),
    )

    history = merge([year(2019, Child("C1", episodes=(episode,))), bad])

    assert history.children == ()
    assert [p.element for p in history.problems] == ["CINdetails/ReferralSource", "Child"]
