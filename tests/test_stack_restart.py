"""`continuum up` (what `make run` runs) stopped with Ctrl-C while decisions are in flight, and started
again, loses nothing: the embedded broker keeps topics in memory, so the restart is a broker that
lost everything, and the referral service republishes from its outbox (issue 8, Must show 2). And a
service process that exits is started again rather than stopping the stack."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from continuum.settings import ServiceSettings
from continuum.web.auth import mint_dev_token
from continuum_tools.devstack import free_port, free_port_block
from continuum_tools.testing import eventually

STACK_DIR = Path(".continuum") / "test-restart"
DECISIONS = 50


class Stack:
    def __init__(self, pg_port: int, kafka_port: int, offset: int) -> None:
        self.pg_port, self.kafka_port, self.offset = pg_port, kafka_port, offset
        self.process: subprocess.Popen[str] | None = None
        self.output = ""

    def start(self) -> None:
        command = [
            sys.executable, "-m", "continuum_tools.cli", "up", "--data-dir", str(STACK_DIR),
            "--pg-port", str(self.pg_port), "--kafka-port", str(self.kafka_port), "--port-offset", str(self.offset),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ | {"PYTHONUNBUFFERED": "1"}
        )
        self.read_until("Ctrl-C stops everything.", within=120)

    def read_until(self, text: str, *, within: float) -> None:
        assert self.process is not None and self.process.stdout is not None
        started = time.monotonic()
        while text not in self.output:
            line = self.process.stdout.readline()
            assert line, f"the stack exited early:\n{self.output}"
            self.output += line
            assert time.monotonic() - started < within, f"no {text!r} after {within} s:\n{self.output}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl-C
            try:
                self.process.wait(90)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def url(self, service_port: int) -> str:
        return f"http://127.0.0.1:{service_port + self.offset}"


async def _decide_for_assessment(client: httpx.AsyncClient, i: int) -> str:
    received = await client.post(
        "/v1/referrals",
        json={
            "child": {
                "la_child_id": f"RS{uuid.uuid4().hex[:12]}",
                "given_name": f"Restart{i}",
                "family_name": "Stack",
                "date_of_birth": "2015-01-02",
                "sex": "M",
                "ethnicity": "WBRI",
                "disabilities": ["NONE"],
            },
            "received_at": "2026-11-20T10:00:00Z",
            "source": "6",
            "referrer": {"name": "PC Restart", "agency": "Example Constabulary"},
            "concerns": "Police attended a domestic incident; the child was present.",
            "lawful_basis": "public_task_safeguarding_children",
            "suggested_threshold": "child_in_need",
            "team": "north",
        },
    )
    assert received.status_code == 201, received.text
    body: dict[str, Any] = received.json()
    decided = await client.post(
        f"/v1/referrals/{body['id']}/decision",
        json={"outcome": "assessment", "reasons": "Needs a single assessment.", "team": "north"},
        headers={"If-Match": '"1"'},
    )
    assert decided.status_code == 200, decided.text
    return str(body["case_id"])


async def test_ctrl_c_with_decisions_in_flight_then_up_again_opens_every_assessment_once() -> None:
    shutil.rmtree(STACK_DIR, ignore_errors=True)
    stack = Stack(free_port(), free_port(), free_port_block(10) - 8001)
    token = mint_dev_token(ServiceSettings(env="dev"), sub="restart-front-door", roles=["front_door", "manager"], teams=["north"])
    try:
        stack.start()
        async with httpx.AsyncClient(base_url=stack.url(8001), headers={"Authorization": f"Bearer {token}"}) as client:
            cases = [await _decide_for_assessment(client, i) for i in range(DECISIONS)]
        stack.stop()  # at once: some decisions are still in the outbox or on the (memory) broker
        assert stack.process is not None and stack.process.returncode == 0, stack.output

        stack.output = ""
        stack.start()
        conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{stack.pg_port}/assessment")
        try:

            async def all_opened() -> bool:
                count = await conn.fetchval(
                    "SELECT count(*) FROM assessments WHERE case_id = ANY($1::uuid[])", [uuid.UUID(c) for c in cases]
                )
                return bool(count == DECISIONS)

            await eventually(all_opened, within=90, interval=0.5)  # each exactly once: a case has one assessment
            doubled = await conn.fetchval(
                "SELECT count(*) FROM (SELECT event_id FROM inbox GROUP BY consumer, event_id HAVING count(*) > 1) d"
            )
            assert doubled == 0

            # One service process exiting is started again; the stack goes on.
            found = await asyncio.to_thread(
                subprocess.run,
                ["pgrep", "-f", f"assessment.app:create_app.*--port {8002 + stack.offset}"],
                capture_output=True,
                text=True,
            )
            pid = int(found.stdout.split()[0])
            os.kill(pid, signal.SIGKILL)
            await asyncio.to_thread(stack.read_until, "assessment exited with -9; starting it again", within=30)

            async def answers() -> bool:
                try:
                    async with httpx.AsyncClient() as probe:
                        return (await probe.get(stack.url(8002) + "/health/live")).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(answers, within=60, interval=0.5)
        finally:
            await conn.close()
    finally:
        stack.stop()
        shutil.rmtree(STACK_DIR, ignore_errors=True)
