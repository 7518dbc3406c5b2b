"""The DfE's own CIN census validator (``csc-validator-be-cin``, module ``cin_validator``), run over
a census file in its own virtual environment, its findings returned as data.

The validator needs ``pandas<2`` and ``numpy<2``, which the project's environment does not have, so
it lives in ``.continuum/cin-validator/`` (made on first use: ``python3 -m venv`` and pip from the
package index, about ten seconds) and runs as a subprocess. A small runner, sent on stdin, calls the
package's own API the way its ``python -m cin_validator run`` does (``convert_data``,
``process_data``, ``CinValidator`` over a ruleset's registry) and prints every issue as JSON: each
rule's code, whether the DfE calls it an error or a query, its message, and where (the child's
LAchildID, the table and the columns). Return-level rules (no child) come with ``child_id`` empty,
and a rule that crashes on the file is reported too, since a crash is not a pass.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: The validator's release (its rules are the DfE's) and the numpy it needs.
PACKAGE, NUMPY = "csc-validator-be-cin==0.1.13", "numpy<2"
#: The ruleset of the 2026-27 collection (0.1.13 carries the 2024-25 rules forward unchanged).
RULESET = "cin2026_27"
#: Where the validator's own virtual environment is made (beside the embedded database's data).
HOME = Path(".continuum") / "cin-validator"

_RUNNER = r"""
import contextlib, importlib, io, json, sys
import xml.etree.ElementTree as ET
from cin_validator import cin_validator

path, ruleset = sys.argv[1], sys.argv[2]
registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
kinds = {str(rule.code): rule.rule_type.value for _, rule in registry.items()}
data = cin_validator.process_data(cin_validator.convert_data(ET.parse(path).getroot()))
printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    validator = cin_validator.CinValidator(data, registry)
issues = []
for row in validator.full_issue_df.to_dict("records"):
    code = str(row["rule_code"])
    child = row.get("child_id")
    issues.append({
        "code": code, "kind": kinds.get(code, "Error"), "message": str(row["rule_description"]),
        "child_id": "" if child is None or child != child else str(child),
        "table": str(getattr(row["tables_affected"], "name", row["tables_affected"])),
        "columns": str(row["columns_affected"]),
    })
for row in validator.multichild_issues.to_dict("records"):
    code = str(row["rule_code"])
    issues.append({"code": code, "kind": kinds.get(code, "Error"), "message": str(row["rule_description"]),
                   "child_id": "", "table": "", "columns": ""})
crashed = [line for line in printed.getvalue().splitlines() if line.startswith("Error with rule")]
json.dump({"issues": issues, "crashed": crashed, "rules": len(kinds)}, sys.stdout)
"""


@dataclass(frozen=True)
class Issue:
    """One finding of the validator: a rule, its kind (``Error`` or ``Query``), its message, and
    where (``child_id`` is the file's LAchildID; empty for a return-level rule)."""

    code: str
    kind: str
    message: str
    child_id: str
    table: str
    columns: str


@dataclass(frozen=True)
class Report:
    """What the validator said of one file: every issue, the rules that crashed on it, and how many
    rules it ran."""

    issues: list[Issue]
    crashed: list[str]
    rules: int

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.kind == "Error"]

    @property
    def queries(self) -> list[Issue]:
        return [i for i in self.issues if i.kind == "Query"]

    def codes(self, kind: str | None = None) -> set[str]:
        return {i.code for i in self.issues if kind is None or i.kind == kind}


@contextmanager
def _locked(home: Path) -> Iterator[None]:
    home.parent.mkdir(parents=True, exist_ok=True)
    with (home.parent / f"{home.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test processes make it once
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def validator_python(home: Path = HOME) -> Path:
    """The validator's interpreter, its virtual environment made first if it is not there yet."""
    python, stamp = home / "bin" / "python", home / ".installed"
    with _locked(home):
        if not stamp.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True)
            pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PACKAGE, NUMPY]
            subprocess.run(pip, check=True, timeout=600)
            stamp.write_text(f"{PACKAGE} {NUMPY}\n")
    return python


def validate(census: Path, *, ruleset: str = RULESET, home: Path = HOME) -> Report:
    """Run the DfE's validator over the census file ``census``; its findings."""
    python = validator_python(home)
    done = subprocess.run(
        [str(python), "-c", _RUNNER, str(census.resolve()), ruleset], capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"the CIN validator failed on {census}:\n{done.stderr[-4000:]}")
    found = json.loads(done.stdout)
    return Report(issues=[Issue(**i) for i in found["issues"]], crashed=list(found["crashed"]), rules=int(found["rules"]))
