"""``continuum``: the developer and operator command line.

- ``continuum up``: the whole stack on embedded parts (``make run``).
- ``continuum token``: a dev JWT for a role; ``continuum demo``: journey 3 on a running stack, its timeline.
- ``continuum dlq replay``: re-drive a consumer group's dead letters to that group alone.
- ``continuum outbox republish``: send a service's retained events again (after a broker lost them).
- ``continuum census``: the CIN census file of a year, from the insight service over HTTP (``returns``).
- ``continuum annex-a``: one of Ofsted's Annex A lists (3 to 7), from the insight service over HTTP.
- ``continuum insight rebuild``: insight's read model replayed from the services' histories (decision 53).
- ``continuum import census``: a council's past CIN census returns read, merged and reported (``importing``).
- ``continuum schemas``: write the event contracts' JSON Schemas and AsyncAPI document to docs/.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from continuum.casework.principal import Role
from continuum.settings import ServiceSettings
from continuum.web.auth import mint_dev_token
from continuum_tools.demo import demo
from continuum_tools.importing.command import import_app
from continuum_tools.returns import annex_a, census

app = typer.Typer(help="Continuum developer and operator commands", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead-letter topics")
app.add_typer(dlq_app, name="dlq")
app.command()(demo)
app.command()(census)
app.command("annex-a")(annex_a)
app.add_typer(import_app, name="import")
#: ``continuum up`` starts a service that exited again, at most this many times in this window.
MAX_RESTARTS = 5
RESTART_WINDOW_SECONDS = 300.0

outbox_app = typer.Typer(help="A service's outbox, the source of truth for its events")
app.add_typer(outbox_app, name="outbox")


@app.command()
def token(
    role: Annotated[list[str], typer.Option("--role", help=", ".join(r.value for r in Role))],
    team: Annotated[list[str] | None, typer.Option("--team", help="a team the user belongs to (repeatable)")] = None,
    sw_qualified: Annotated[bool, typer.Option("--sw-qualified", help="a social-work-qualified user")] = False,
    sub: Annotated[str, typer.Option(help="the user id")] = "dev-user",
) -> None:
    """Print a development JWT signed with the local key."""
    settings = ServiceSettings(env=os.environ.get("CONTINUUM_ENV") or "dev")  # a dev tool: dev unless told
    typer.echo(mint_dev_token(settings, sub=sub, roles=role, teams=team or [], sw_qualified=sw_qualified))


@app.command()
def up(
    data_dir: Annotated[Path, typer.Option(help="where the embedded database keeps its data")] = Path(".continuum"),
    pg_port: Annotated[int, typer.Option(help="PostgreSQL port")] = 55432,
    kafka_port: Annotated[int, typer.Option(help="Kafka (Tansu) port")] = 19092,
    port_offset: Annotated[int, typer.Option(help="add this to every service's port (to run beside another stack)")] = 0,
    exit_when_ready: Annotated[bool, typer.Option(help="start, print, then stop (a smoke test)")] = False,
) -> None:
    """Start PostgreSQL, the broker and every installed service; Ctrl-C stops them all cleanly."""
    from continuum.contracts import ALL_TOPICS
    from continuum.messaging.kafka import dlq_topic, ensure_topics
    from continuum_tools.devstack import (
        UVICORN_RUNTIME,
        EmbeddedPostgres,
        ServiceManifest,
        TansuBroker,
        die_with_parent,
        discover_services,
        migrate,
        port_in_use,
        wait_for_port,
    )

    started = time.monotonic()
    services = [replace(svc, port=svc.port + port_offset) for svc in discover_services()]
    if not services:
        typer.echo("no services installed (run make run, which installs them)", err=True)
        raise typer.Exit(1)
    wanted = [("Kafka", kafka_port)] + [(svc.name, svc.port) for svc in services]
    if not (data_dir / "pgdata" / "postmaster.pid").exists():  # our own server, left running, is reused
        wanted.append(("PostgreSQL", pg_port))
    busy = [f"{what} on {port}" for what, port in wanted if port_in_use(port)]
    if busy:
        typer.echo(f"Ports already in use: {', '.join(busy)}. Is another stack running?", err=True)
        typer.echo("Stop it, or choose other ports (continuum up --help).", err=True)
        raise typer.Exit(1)
    data_dir.mkdir(parents=True, exist_ok=True)
    postgres = EmbeddedPostgres(data_dir / "pgdata", pg_port)
    broker = TansuBroker(kafka_port, log_path=data_dir / "tansu.log")
    processes: list[tuple[str, subprocess.Popen[bytes]]] = []
    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        typer.echo(f"starting PostgreSQL on 127.0.0.1:{pg_port} (data in {data_dir}/pgdata)")
        postgres.start()
        runtime_roles: dict[str, str] = {}
        for svc in services:
            # As in production: the owner role migrates, the service runs as a role that cannot
            # alter or erase its audit log (continuum.persistence.migrations.grant_runtime_role).
            roles = postgres.create_service_database(svc.name)
            migrate(svc.alembic_ini, postgres.url(svc.name, user=roles.owner), runtime_role=roles.runtime)
            runtime_roles[svc.name] = roles.runtime
        typer.echo(f"starting the Tansu broker on 127.0.0.1:{kafka_port}")
        broker.start()
        settings = ServiceSettings(env="dev", kafka_bootstrap=broker.bootstrap, kafka_idempotence=False)
        topics = list(ALL_TOPICS) + [dlq_topic(g) for svc in services for g in svc.consumer_groups]
        topics += [t for svc in services for t in svc.topics]
        asyncio.run(ensure_topics(settings, topics))
        logs = data_dir / "logs"
        logs.mkdir(exist_ok=True)

        def launch(svc: ServiceManifest) -> subprocess.Popen[bytes]:
            env = (
                os.environ
                | svc.extra_env
                | {
                    "CONTINUUM_ENV": "dev",
                    "CONTINUUM_SERVICE_NAME": svc.name,
                    "CONTINUUM_DATABASE_URL": postgres.url(svc.name, user=runtime_roles[svc.name]),
                    "CONTINUUM_KAFKA_BOOTSTRAP": broker.bootstrap,
                    "CONTINUUM_KAFKA_IDEMPOTENCE": "false",
                }
            )
            log = open(logs / f"{svc.name}.log", "ab")  # noqa: SIM115 - handed to the child process
            cmd = [
                sys.executable,
                "-m",
                "uvicorn",
                svc.app,
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(svc.port),
                "--no-access-log",
                "--no-server-header",
                *UVICORN_RUNTIME,
            ]
            return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)

        by_name = {svc.name: svc for svc in services}
        for svc in services:
            processes.append((svc.name, launch(svc)))
        for svc in services:
            wait_for_port(svc.port, timeout=30)
        typer.echo(f"\nContinuum is up in {time.monotonic() - started:.1f}s. Logs in {logs}/\n")
        for svc in services:
            typer.echo(f"  {svc.name:<11} http://127.0.0.1:{svc.port}/docs")
        typer.echo(f"  {'kafka':<11} 127.0.0.1:{kafka_port}   postgres: {postgres.url('<service>', driver='')}")
        for svc in services:
            if svc.example:
                dev = ServiceSettings(env="dev")
                tok = mint_dev_token(dev, sub="dev-front-door", roles=list(svc.example_roles), teams=["north"], sw_qualified=True)
                typer.echo(f"\nTry ({svc.name}):\n" + svc.example.format(url=f"http://127.0.0.1:{svc.port}", token=tok))
        typer.echo("\nCtrl-C stops everything.")
        # As an orchestrator would: a service process that exits is started again (its outbox and
        # its consumers' committed offsets carry on where it stopped), a few times at most.
        restarts: dict[str, list[float]] = {}
        while not stopping and not exit_when_ready:
            for index, (name, proc) in enumerate(processes):
                if proc.poll() is None:
                    continue
                recent = [t for t in restarts.get(name, []) if time.monotonic() - t < RESTART_WINDOW_SECONDS]
                if len(recent) >= MAX_RESTARTS:
                    typer.echo(
                        f"{name} exited with {proc.returncode} {MAX_RESTARTS + 1} times in {RESTART_WINDOW_SECONDS // 60:.0f} "
                        f"minutes; stopping the stack. See {logs}/{name}.log",
                        err=True,
                    )
                    stopping = True
                    break
                typer.echo(f"{name} exited with {proc.returncode}; starting it again (see {logs}/{name}.log)", err=True)
                restarts[name] = [*recent, time.monotonic()]
                processes[index] = (name, launch(by_name[name]))
            time.sleep(0.5)
    finally:
        typer.echo("stopping: services (relays drain), then the broker, then PostgreSQL")
        for _, proc in processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc in processes:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        broker.stop()
        postgres.stop()
        typer.echo("stopped")


@dlq_app.command("replay")
def dlq_replay(
    group: Annotated[str, typer.Option(help="the consumer group whose dead letters to replay")],
    bootstrap: Annotated[
        str | None, typer.Option(help="Kafka bootstrap servers (default from CONTINUUM_KAFKA_BOOTSTRAP)")
    ] = None,
    limit: Annotated[int, typer.Option(help="replay at most this many messages")] = 1000,
) -> None:
    """Re-drive each dead letter of GROUP once, to GROUP alone (its retry topic; never the shared
    topic), up to the end of the dead-letter topic as it is now. A message that fails again goes
    back to the dead-letter topic with its attempt count raised, for the next run; the consumer's
    inbox makes a replay of an already handled event harmless."""
    from continuum.messaging.dlq import replay_report

    # Reads no tokens, so dev when CONTINUUM_ENV is unset is harmless; in a pod it is set.
    env = os.environ.get("CONTINUUM_ENV") or "dev"
    overrides: dict[str, object] = {}
    if env == "dev" and "CONTINUUM_KAFKA_IDEMPOTENCE" not in os.environ:
        overrides["kafka_idempotence"] = False  # the embedded broker refuses idempotent producers
    if bootstrap:
        overrides["kafka_bootstrap"] = bootstrap
    settings = ServiceSettings(env=env, **overrides)  # type: ignore[arg-type]
    report = asyncio.run(replay_report(settings, group, limit=limit))
    typer.echo(f"replayed {report.replayed} dead letter(s) of {group} to {group} alone; {report.left} left for a later run")


@app.command()
def schemas(out: Annotated[Path, typer.Option(help="folder to write into")] = Path("docs/events")) -> None:
    """Write every event's JSON Schema, one file each, and the AsyncAPI document. Refuses to
    overwrite a published schema with one that breaks it: that change needs a new version."""
    from continuum.contracts import json_schemas
    from continuum.contracts.asyncapi import asyncapi_document
    from continuum.contracts.compat import breaking_changes

    out.mkdir(parents=True, exist_ok=True)
    refused = 0
    for name, schema in json_schemas().items():
        target = out / f"{name}.schema.json"
        if target.exists():
            problems = breaking_changes(json.loads(target.read_text()), schema)
            if problems:
                refused += 1
                typer.echo(f"{name}: breaks the published schema ({'; '.join(problems)}); bump schema_version", err=True)
                continue
        target.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    (out / "asyncapi.json").write_text(json.dumps(asyncapi_document(), indent=2, sort_keys=True) + "\n")
    typer.echo(f"wrote {len(json_schemas()) - refused} schemas and asyncapi.json to {out}")
    if refused:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()


@outbox_app.command("republish")
def outbox_republish(
    since: Annotated[
        str,
        typer.Option(
            help="republish what was published at or after this instant (ISO 8601 with a zone, e.g. 2026-11-27T09:00:00Z)"
        ),
    ],
    database_url: Annotated[str | None, typer.Option(help="the service's database (default from CONTINUUM_DATABASE_URL)")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", help="only these topics (repeatable)")] = None,
) -> None:
    """Mark a service's events published since SINCE as unsent: its running relay sends them again
    in order (a cluster migration, a topic recreated or a retention mistake). Consumers skip what
    they already handled. Only what the outbox still retains can be sent (CONTINUUM_OUTBOX_RETENTION_DAYS)."""
    from datetime import datetime

    from continuum.messaging.relay import mark_for_republish
    from continuum.persistence.db import make_engine, make_session_factory

    moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise typer.BadParameter("give a time zone, e.g. 2026-11-27T09:00:00Z", param_hint="--since")
    url = database_url or os.environ.get("CONTINUUM_DATABASE_URL")
    if not url:
        raise typer.BadParameter("give --database-url or set CONTINUUM_DATABASE_URL", param_hint="--database-url")

    async def run() -> int:
        engine = make_engine(url)
        try:
            return await mark_for_republish(make_session_factory(engine), topics=topic or None, since=moment)
        finally:
            await engine.dispose()

    count = asyncio.run(run())
    typer.echo(f"{count} event(s) marked for republishing; the service's relay sends them in order")


insight_app = typer.Typer(help="The insight service's read model")
app.add_typer(insight_app, name="insight")


@insight_app.command("rebuild")
def insight_rebuild(
    url_of: Annotated[list[str] | None, typer.Option("--url-of", help="SERVICE=URL (repeatable; default: the dev ports)")] = None,
    bearer: Annotated[str | None, typer.Option("--token", help="an admin token (dev: made)", envvar="CONTINUUM_TOKEN")] = None,
    batch: Annotated[int, typer.Option(min=1, max=500, help="events per page and per replay")] = 200,
    from_empty: Annotated[bool, typer.Option(help="empty the read model first (staff and audit log stay)")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask before emptying the read model")] = False,
) -> None:
    """Rebuild insight's read model from the services' histories (GET /v1/history of referral,
    assessment, plan and step-down, replayed through insight's consumer): nothing from the broker,
    however old. Into a live read model it adds only what it lacks. Decision 53."""
    import httpx

    from continuum_tools.devstack import discover_services
    from continuum_tools.rebuild import RebuildFailed, rebuild_over_http, service_urls, summary

    try:
        urls = service_urls(url_of or [], {svc.name: f"http://127.0.0.1:{svc.port}" for svc in discover_services()})
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--url-of") from exc
    if bearer is None:
        settings = ServiceSettings(env=os.environ.get("CONTINUUM_ENV") or "dev")
        if settings.env != "dev":
            raise typer.BadParameter("give a token (--token or CONTINUUM_TOKEN)", param_hint="--token")
        bearer = mint_dev_token(settings, sub="continuum-rebuild", roles=["admin"], teams=[], sw_qualified=False)
    if from_empty and not yes:
        typer.confirm("Empty insight's read model before rebuilding it?", abort=True)
    try:
        report = lambda replayed: typer.echo(summary(replayed))  # noqa: E731 - one line per service
        asyncio.run(rebuild_over_http(urls, bearer, batch=batch, from_empty=from_empty, progress=report))
    except (RebuildFailed, httpx.HTTPError) as exc:
        typer.echo(f"rebuild stopped: {exc} (a rerun skips what was replayed)", err=True)
        raise typer.Exit(1) from exc
