"""`continuum up` (what `make run` runs): the whole stack starts on embedded parts, the README's
example request creates a referral whose event reaches the topic and whose status reaches police's
own topic through the partners service, `continuum census --year` writes
the current year's file with the child in it, and Ctrl-C stops it cleanly."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import asyncpg
import httpx
from journeys.stack import continuum_up

from continuum.casework import clock
from continuum_tools.testing import eventually, read_events, remember_personal_data

STACK_DIR = Path(".continuum") / "test-stack"


def _example_request(output: str) -> list[str]:
    """The curl command `continuum up` prints after 'Try (referral):'."""
    block = output.split("Try (referral):\n", 1)[1].split("\n\n", 1)[0]
    return shlex.split(block.replace("\\\n", " "))


def _curl_to_httpx(argv: list[str]) -> tuple[str, dict[str, str], str]:
    headers, body, url = {}, "", ""
    it = iter(argv[1:])
    for arg in it:
        if arg == "-H":
            name, value = next(it).split(": ", 1)
            headers[name] = value
        elif arg == "-d":
            body = next(it)
        elif arg.startswith("http"):
            url = arg
    return url, headers, body


def _census(year: int, out: Path, url: str) -> ET.Element:
    """Run `continuum census --year YEAR` as an operator would (dev: it makes its own token)."""
    command = [sys.executable, "-m", "continuum_tools.cli", "census", "--year", str(year), "--out", str(out), "--url", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=os.environ | {"CONTINUUM_ENV": "dev"})
    assert done.returncode == 0, done.stdout + done.stderr
    return ET.parse(out).getroot()


async def test_continuum_up_serves_the_readme_example_and_stops_cleanly() -> None:
    shutil.rmtree(STACK_DIR, ignore_errors=True)  # the example's Idempotency-Key would replay an older run's answer
    with continuum_up(STACK_DIR, ready_within=120) as stack:
        output = "".join(stack.output)
        pg_port, kafka_port, offset = stack.pg_port, stack.kafka_port, stack.port_offset
        assert re.search(r"Continuum is up in [\d.]+s", output)

        url, headers, body = _curl_to_httpx(_example_request(output))
        remember_personal_data("Sam", "Example", "2017-05-04")
        async with httpx.AsyncClient() as client:
            response = await client.post(url, headers=headers, content=body)
            assert response.status_code in (200, 201), response.text
            case_id = response.json()["case_id"]
            docs = await client.get(url.split("/v1/")[0] + "/docs")
            assert docs.status_code == 200
            assert "server" not in response.headers and "server" not in docs.headers  # uvicorn --no-server-header

        # The service connects as its runtime role, which owns nothing (the owner role migrated).
        conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{pg_port}/referral")
        try:
            users = await conn.fetch(
                "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = 'referral' AND pid <> pg_backend_pid()"
            )
            owner = await conn.fetchval("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'")
        finally:
            await conn.close()
        assert ([u["usename"] for u in users], owner) == (["referral"], "referral_owner")

        events = await read_events(
            f"127.0.0.1:{kafka_port}",
            "continuum.referral",
            match=lambda e: e.subject == case_id and e.type == "referral.received",
            count=1,
        )
        assert len(events) == 1

        # The partners service passes the child's "referred" to police's own topic (police subscribes
        # to every status in the development policy), keyed by the NHS number: never the case id.
        shared = await read_events(
            f"127.0.0.1:{kafka_port}",
            "continuum.partner.police",
            match=lambda e: e.type == "partner.status" and e.data.nhs_number == "9434765919",
            count=1,
            timeout=60,
        )
        assert [(e.subject, e.data.status.value) for e in shared] == [("9434765919", "referred")]

        # `continuum census --year` writes the current collection year's file, the child in it
        # once the insight service has read the referral.
        today = clock.today()
        year = today.year + 1 if today.month >= 4 else today.year
        la_child_id = response.json()["child"]["la_child_id"]

        def census_lists_the_child() -> bool:
            written = _census(year, STACK_DIR / "census.xml", f"http://127.0.0.1:{8005 + offset}")
            assert written.findtext("Header/CollectionDetails/ReferenceDate") == f"{year}-03-31"
            return la_child_id in [c.findtext("ChildIdentifiers/LAchildID") for c in written.findall("Children/Child")]

        await eventually(census_lists_the_child, within=60, interval=1, what="the referred child in the census file")
    output = "".join(stack.output)
    assert stack.process.returncode == 0, output
    assert output.rstrip().endswith("stopped"), output
    # Nothing of the stack is left listening.
    for port in (pg_port, kafka_port, 8001 + offset, 8006 + offset):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open"
