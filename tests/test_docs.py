"""The docs a newcomer reads: the README stays short, every relative link in the Markdown resolves, and
every decision the code or docs cite by number has its file in docs/decisions/ and a line in its index."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OLD_FILE = "decisions" + ".md"  # the single file docs/decisions/ replaced (spelt so this test does not cite it)
DECISIONS = ROOT / "docs" / "decisions"
MARKDOWN = [
    ROOT / "README.md",
    ROOT / "bench" / "README.md",
    *sorted((ROOT / "services").glob("*/README.md")),
    *sorted((ROOT / "docs").rglob("*.md")),
]
SOURCES = [
    *sorted((ROOT / "shared").rglob("*.py")),
    *sorted((ROOT / "services").rglob("*.py")),
    *sorted((ROOT / "tests").rglob("*.py")),
]


def _decision_numbers() -> set[int]:
    return {int(p.name[:2]) for p in DECISIONS.glob("[0-9][0-9]-*.md")}


def test_the_readme_is_at_most_200_lines() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200


def test_every_relative_link_in_the_markdown_resolves() -> None:
    broken = []
    for doc in MARKDOWN:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text()):
            if "://" not in target and not (doc.parent / target).exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
    assert broken == []


def test_every_decision_is_in_the_index_and_numbered_in_order() -> None:
    numbers = sorted(_decision_numbers())
    assert numbers == list(range(1, len(numbers) + 1))
    index = (DECISIONS / "README.md").read_text()
    assert [p.name for p in sorted(DECISIONS.glob("[0-9][0-9]-*.md")) if f"({p.name})" not in index] == []


def test_every_decision_cited_by_number_exists_and_none_cites_the_old_single_file() -> None:
    known, missing, old = _decision_numbers(), [], []
    for path in [*SOURCES, *MARKDOWN, ROOT / "Dockerfile", ROOT / "shared" / "pyproject.toml"]:
        if ".venv" in path.parts or "egg-info" in str(path):
            continue
        text = path.read_text()
        if OLD_FILE in text:
            old.append(str(path.relative_to(ROOT)))
        for cited in re.findall(r"\bdecisions? (\d+)(?: and (\d+))?\b", text):
            missing += [f"{path.relative_to(ROOT)}: {n}" for n in cited if n and int(n) not in known]
    assert (old, missing) == ([], [])
