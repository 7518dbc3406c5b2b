"""``continuum census`` and ``continuum annex-a``: the council's returns, from the insight service
over HTTP, so the caller's role is checked and the read audited like any other."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import httpx
import typer

from continuum.settings import ServiceSettings
from continuum.web.auth import mint_dev_token


def dev_token(sub: str, role: str = "performance") -> str:
    """A dev token for ``role``, in dev only: elsewhere a token must be given."""
    settings = ServiceSettings(env=os.environ.get("CONTINUUM_ENV") or "dev")
    if settings.env != "dev":
        raise typer.BadParameter("give a token (--token or CONTINUUM_TOKEN)", param_hint="--token")
    return mint_dev_token(settings, sub=sub, roles=[role], teams=[], sw_qualified=False)


def census(
    year: Annotated[int, typer.Option(help="the collection year ending 31 March of this year (2027: 2026-27)")],
    out: Annotated[Path, typer.Option(help="the file to write")],
    as_at: Annotated[str | None, typer.Option(help="the day it is as at, YYYY-MM-DD (default: today)")] = None,
    url: Annotated[str, typer.Option(help="the insight service", envvar="CONTINUUM_INSIGHT_URL")] = "http://127.0.0.1:8005",
    bearer: Annotated[
        str | None, typer.Option("--token", help="a manager, auditor or admin token (dev: made)", envvar="CONTINUUM_TOKEN")
    ] = None,
) -> None:
    """Write the CIN census XML of YEAR, as the insight service builds it (GET /v1/census/{year}):
    over HTTP, so the caller's role is checked and the read audited like any other. Without a
    token, in dev, a performance officer's dev token (sub ``continuum-census``) is used."""
    bearer = bearer or dev_token("continuum-census")
    params = {"as_at": as_at} if as_at else {}
    # A council's file is hundreds of MB: written to disk as it comes, never held whole.
    with httpx.stream(
        "GET", f"{url}/v1/census/{year}", params=params, headers={"Authorization": f"Bearer {bearer}"}, timeout=600
    ) as answer:
        if answer.status_code != 200:
            typer.echo(f"the insight service answered {answer.status_code}: {answer.read().decode()}", err=True)
            raise typer.Exit(1)
        with out.open("wb") as written:
            for chunk in answer.iter_bytes(1 << 20):
                written.write(chunk)
    children = answer.headers.get("x-census-children", "?")
    missing = answer.headers.get("x-census-missing-identity", "0")
    typer.echo(f"wrote {out}: {children} children; {missing} left out for want of the child's identity")


def annex_a(
    number: Annotated[int, typer.Option("--list", help="the list's number in Ofsted's Annex A (3 to 7)")],
    out: Annotated[Path, typer.Option(help="the file to write")],
    file_format: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
    as_at: Annotated[str | None, typer.Option(help="the day it is as at, YYYY-MM-DD (default: today)")] = None,
    url: Annotated[str, typer.Option(help="the insight service", envvar="CONTINUUM_INSIGHT_URL")] = "http://127.0.0.1:8005",
    bearer: Annotated[
        str | None,
        typer.Option("--token", help="a manager, auditor, performance or admin token (dev: made)", envvar="CONTINUUM_TOKEN"),
    ] = None,
) -> None:
    """Write Ofsted's Annex A list NUMBER as the insight service builds it (GET /v1/annex-a/{list}):
    over HTTP, so the caller's role is checked and the read audited like any other. Without a
    token, in dev, a performance officer's dev token (sub ``continuum-annex-a``) is used."""
    if file_format not in ("csv", "xlsx"):
        raise typer.BadParameter("csv or xlsx", param_hint="--format")
    bearer = bearer or dev_token("continuum-annex-a")
    params = {"format": file_format} | ({"as_at": as_at} if as_at else {})
    answer = httpx.get(f"{url}/v1/annex-a/{number}", params=params, headers={"Authorization": f"Bearer {bearer}"}, timeout=600)
    if answer.status_code != 200:
        typer.echo(f"the insight service answered {answer.status_code}: {answer.text}", err=True)
        raise typer.Exit(1)
    out.write_bytes(answer.content)
    rows, children = answer.headers.get("x-annex-a-rows", "?"), answer.headers.get("x-annex-a-children", "?")
    typer.echo(f"wrote {out}: list {number}, {rows} rows, {children} children")
