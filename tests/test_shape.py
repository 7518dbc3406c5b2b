"""The house's shape, walked over the four services and the kernel (issue 17; `make lint` runs it).

- no module of a service, the kernel or the tools over 400 lines: a longer one does several jobs;
- the kernel's top level holds only its rooms (packages) and at most five modules;
- a column that stores a code or a status is an enum column (``continuum.persistence.db.enum_column``),
  so a stored value is read back as the domain's enum and a typo is caught where it is written;
- code compares a status or code with enum members, never with a string literal, which would go on
  compiling (and silently never match) after a value is renamed.

Each check names the file and line at fault; ``test_the_checks_catch_a_planted_violation`` shows that
each can fail.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Enum, MetaData, String, Table, Text

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("referral", "assessment", "plan", "stepdown", "insight", "partners")
KERNEL = ROOT / "shared/src/continuum"
SOURCE_ROOTS = [ROOT / f"services/{s}/src/{s}" for s in SERVICES] + [KERNEL, ROOT / "shared/tools/src/continuum_tools"]
MAX_LINES = 400
MAX_TOP_LEVEL_MODULES = 5

#: The last word of a column's or attribute's name that says it holds a code or a status.
ENUM_WORDS = re.compile(
    r"(?:^|_)(status|kind|trigger|outcome|reason|route|decision|level|category|source|sex|ethnicity|"
    r"factor|factors|disability|disabilities|need|step|progress|agency|role)$"
)
#: Columns whose name reads like a code but that hold a name as people write it, and why. (A ``Text``
#: column is free text by its type: a correction's or an exception's reason in words.)
NOT_CODES = {
    ("referrals", "referrer_agency"): "the referrer's organisation, as they name it",
    ("contacts", "referrer_agency"): "the referrer's organisation, as they name it",
    ("assessments", "lead_practitioner_role"): "a role's name from the council's policy file, not a code",
    ("assessment_allocations", "lead_practitioner_role"): "a role's name from the council's policy file, not a code",
}


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def modules() -> Iterator[Path]:
    for root in SOURCE_ROOTS:
        yield from sorted(p for p in root.rglob("*.py") if "migrations" not in p.parts)


def long_modules(paths: list[Path]) -> list[str]:
    return [f"{_shown(p)}: {n} lines" for p in paths if (n := len(p.read_text().splitlines())) > MAX_LINES]


def test_no_module_over_400_lines() -> None:
    assert long_modules(list(modules())) == []


def test_the_kernel_top_level_holds_rooms_and_at_most_five_modules() -> None:
    top_modules = sorted(p.name for p in KERNEL.glob("*.py"))
    assert len(top_modules) <= MAX_TOP_LEVEL_MODULES, top_modules
    rooms = sorted(p.name for p in KERNEL.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert rooms == ["casework", "contracts", "messaging", "persistence", "web"]
    for room in rooms:
        doc = ast.get_docstring(ast.parse((KERNEL / room / "__init__.py").read_text()))
        assert doc, f"continuum.{room} says what it is for in its __init__"


def service_tables(service: str) -> list[Table]:
    module = importlib.import_module(f"{service}.tables")
    metadatas = {id(v): v for v in vars(module).values() if isinstance(v, MetaData)}
    for value in vars(module).values():
        metadata = getattr(value, "metadata", None)
        if isinstance(metadata, MetaData):
            metadatas[id(metadata)] = metadata
    return [t for m in metadatas.values() for t in m.tables.values()]


def string_code_columns(tables: list[Table]) -> list[str]:
    found = []
    for table in tables:
        for column in table.columns:
            if (table.name, column.name) in NOT_CODES or isinstance(column.type, Enum):
                continue
            if isinstance(column.type, String) and not isinstance(column.type, Text) and ENUM_WORDS.search(column.name):
                found.append(f"{table.name}.{column.name}")
    return sorted(set(found))


@pytest.mark.parametrize("service", SERVICES)
def test_codes_and_statuses_are_enum_columns(service: str) -> None:
    assert string_code_columns(service_tables(service)) == []


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    return None


def _is_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return bool(node.elts) and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)
    return False


def string_comparisons(path: Path) -> list[str]:
    """``x.status == "open"``, ``kind in ("a", "b")``, ``row["outcome"] != "x"``: a code compared with text."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        for left, right in itertools.pairwise(sides):
            for named, other in ((left, right), (right, left)):
                name = _name(named)
                if name and ENUM_WORDS.search(name) and _is_text(other):
                    found.append(f"{_shown(path)}:{node.lineno}: {name} compared with text")
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_no_code_or_status_compared_with_a_string(service: str) -> None:
    paths = sorted((ROOT / f"services/{service}/src/{service}").rglob("*.py"))
    assert [f for p in paths for f in string_comparisons(p)] == []


def test_the_checks_catch_a_planted_violation(tmp_path: Path) -> None:
    long = tmp_path / "long.py"
    long.write_text("x = 1\n" * (MAX_LINES + 1))
    assert long_modules([long]) == [f"{long}: {MAX_LINES + 1} lines"]

    metadata = MetaData()
    table = Table("plans", metadata, Column("status", String(20)), Column("title", String(20)))
    assert string_code_columns([table]) == ["plans.status"]

    planted = tmp_path / "planted.py"
    planted.write_text('def f(plan):\n    return plan.status == "open" or plan.kind in ("a", "b")\n')
    assert len(string_comparisons(planted)) == 2
