"""Runs last (tests/ is collected last, and zz sorts last): every log line the whole test run
wrote, in this process and in the stack `continuum up` started, is free of the children's names
and dates of birth the tests used."""

from __future__ import annotations

import logging
from pathlib import Path

from continuum_tools.testing import PERSONAL_DATA, SESSION_LOG


def test_logs_of_the_whole_test_run_contain_no_childs_name_or_date_of_birth() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
    logs = [SESSION_LOG, *sorted(Path(".continuum/test-stack/logs").glob("*.log"))]
    text = "\n".join(p.read_text(errors="replace") for p in logs if p.exists())
    assert len(text) > 10_000, "the session log is missing: the check would prove nothing"
    assert len(PERSONAL_DATA) >= 10, "the tests registered too few names to check"
    leaked = sorted(value for value in PERSONAL_DATA if value in text)
    assert leaked == []
