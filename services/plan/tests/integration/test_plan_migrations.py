"""The plan service's migrations that move data: a CP plan's pre-proceedings, held on its row before
issue 16, become a block of its episode (and back on a downgrade), and the episodes with an open
plan become known. Run on a database of their own, revision by revision."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from continuum_tools.devstack import EmbeddedPostgres

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def _alembic(url: str, *args: str) -> None:
    env = os.environ | {"CONTINUUM_DATABASE_URL": url}
    env.pop("CONTINUUM_DATABASE_RUNTIME_ROLE", None)
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ALEMBIC_INI), *args], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


async def test_a_plans_pre_proceedings_become_a_block_of_its_episode_and_come_back(postgres: EmbeddedPostgres) -> None:
    roles = postgres.create_service_database("plan_migrations", drop_first=True)
    url = postgres.url("plan_migrations", user=roles.owner)
    _alembic(url, "upgrade", "0003")
    plan, case, child = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    record = {
        "start_date": "2026-03-02",
        "letter_before_proceedings_date": "2026-03-03",
        "fgdm_offered": True,
        "fgdm_held": False,
        "initial_meeting_date": "2026-03-10",
        "review_meeting_dates": ["2026-03-24", "2026-04-07"],
        "decision": "step_down",
        "decision_date": "2026-04-20",
        "court_application_date": None,
        "fgdm_exception_reason": None,
    }
    engine = create_async_engine(url)
    insert = text(
        "INSERT INTO plans (id, case_id, child_id, team, plan_type, status, drafted_from, drafted_at, factors, content, "
        "agencies_involved, actions, family, interventions, start_date, approved_by, preproceedings, open_action_due_dates, "
        "strategy_discussions, version) VALUES (:id, :case, :child, 'north', 'cp', 'active', 'section47', now(), '{}', '{}', "
        "'{}', '[]', '{}', '[]', '2026-01-05', 'manager-1', CAST(:pp AS jsonb), '{}', '{}', 5)"
    )
    async with engine.begin() as connection:
        await connection.execute(insert, {"id": plan, "case": case, "child": child, "pp": json.dumps(record)})
    try:
        _alembic(url, "upgrade", "head")
        async with engine.connect() as connection:
            block = (
                (await connection.execute(text("SELECT * FROM preproceedings WHERE plan_id = :p"), {"p": plan})).mappings().one()
            )
            episode = (await connection.execute(text("SELECT * FROM episodes WHERE case_id = :c"), {"c": case})).mappings().one()
        assert (block["case_id"], block["child_id"], block["team"], block["start_date"], block["decision"]) == (
            case,
            child,
            "north",
            date(2026, 3, 2),
            "step_down",
        )
        assert block["review_meeting_dates"] == [date(2026, 3, 24), date(2026, 4, 7)] and block["fgdm_offered"] is True
        assert (episode["child_id"], episode["closed_on"]) == (child, None)
        _alembic(url, "downgrade", "0003")
        async with engine.connect() as connection:
            back = (await connection.execute(text("SELECT preproceedings FROM plans WHERE id = :p"), {"p": plan})).scalar_one()
        assert back == record
    finally:
        await engine.dispose()
