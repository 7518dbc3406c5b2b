"""``continuum import census``: several years' returns read and merged, reported; a bad child
listed one line each (its LA child id, the element, the reason: a bad code is named, never a date
or an identifier) and the rest read; without ``--dry-run`` nothing is written while the services' import paths are not built."""

from __future__ import annotations

from pathlib import Path

from importing.test_census_reader import census, child, episode
from typer.testing import CliRunner

from continuum_tools.cli import app
from continuum_tools.importing.generate import generate_history


def returns(folder: Path) -> list[str]:
    paths = []
    for year, xml in zip(range(2023, 2026), generate_history(11, range(2023, 2026), referrals_per_year=15), strict=True):
        path = folder / f"cin-{year}.xml"
        path.write_bytes(xml)
        paths.append(str(path))
    return paths


def test_a_dry_run_reports_each_return_and_the_merged_history_and_writes_nothing(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["import", "census", *returns(tmp_path), "--dry-run"])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["cin-2023.xml", "cin-2024.xml", "cin-2025.xml"]
    assert lines[3].startswith("History: ") and "over 3 collection years" in lines[3]
    assert lines[4].startswith("Open on 2025-03-31: ")
    assert "0 problems" in lines[5] and lines[-1] == "Dry run: nothing written."


def test_a_bad_child_is_listed_one_line_and_the_others_read(tmp_path: Path) -> None:
    bad = episode().replace("<ReferralSource>6</ReferralSource>", "<ReferralSource>Z9</ReferralSource>")
    path = tmp_path / "cin-2019.xml"
    path.write_bytes(census(child("GOOD1") + child("BAD01", episodes=bad)))
    done = CliRunner().invoke(app, ["import", "census", str(path), "--dry-run"])
    assert done.exit_code == 1, done.output
    assert "1 children, 1 episodes read, 1 children left out" in done.output
    problems = [line.strip() for line in done.output.splitlines() if line.startswith("  ")]
    assert problems == ["BAD01: CINdetails/ReferralSource: 'Z9' is not a code of the DfE list"]
    assert "History: 1 children, 1 episodes" in done.output


def test_without_dry_run_it_says_nothing_can_be_written_yet(tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["import", "census", *returns(tmp_path)])
    assert done.exit_code == 2
    assert "nothing was written" in done.output
