# syntax=docker/dockerfile:1
#
# Every service's image, one file: SERVICE names the service (its folder under services/ and its
# import package). Build from the repository root, because the service installs the shared kernel
# beside it:
#
#   docker build --build-arg SERVICE=referral -t continuum/referral .
#   buildah bud --format docker --build-arg SERVICE=referral -t continuum/referral .
#
# One image, four entry points (docs/operations.md, "The image"):
#
#   API and workers  the default CMD (uvicorn on the service's app factory). The background workers
#                    (outbox relay, event consumers, schedulers) run inside the API process, started
#                    by its lifespan when CONTINUUM_RUN_WORKERS=true (the default); there is no
#                    separate worker command. CONTINUUM_RUN_WORKERS=false makes an API-only replica.
#   migrations       alembic -c services/$SERVICE/alembic.ini upgrade head
#                    connected as the database's owner role, with CONTINUUM_DATABASE_RUNTIME_ROLE
#                    naming the role the API runs as (docs/operations.md, "Database roles")
#   history import   continuum import census /imports/*.xml --team ... (an HTTP client of the APIs)
#   operator tools   continuum dlq replay, continuum outbox republish
#
# tests/deploy/test_image.py builds it with buildah and checks all four, and lints this file.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG SERVICE

# --- build: install both distributions (not editable) into a virtualenv ------------------------
FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
RUN test -n "${SERVICE}" || (echo "build with --build-arg SERVICE=<name>" >&2 && exit 1)

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY constraints.txt ./
COPY shared/ shared/
COPY services/${SERVICE}/ services/${SERVICE}/

# Shared first, so the service's dependency on continuum-shared is met by this tree and never
# looked up on an index. constraints.txt pins every third-party version the tests ran with. The
# service needs only the kernel; the tools come last and without their embedded stack, for the
# operator's `continuum dlq replay` and `continuum outbox republish` in the container.
RUN pip install -c constraints.txt ./shared \
 && pip install -c constraints.txt ./services/${SERVICE} \
 && pip install -c constraints.txt ./shared/tools \
 && pip uninstall --yes pip setuptools wheel

# The installers leave with the build stage: nothing in the final image can fetch or build code.

# --- runtime: the virtualenv, the migrations, and nothing to build with -------------------------
FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE

# The base image's own installer too (the official python images ship pip and setuptools), with the
# base's python, before the virtualenv comes first on PATH.
RUN if python -m pip --version >/dev/null 2>&1; then python -m pip uninstall --yes --quiet pip setuptools wheel; fi

ENV PATH=/opt/venv/bin:$PATH \
    SERVICE=${SERVICE} \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

# A fixed numeric id so Kubernetes can check runAsNonRoot without resolving a user name.
RUN groupadd --system --gid 10001 continuum \
 && useradd --system --uid 10001 --gid continuum --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin continuum

COPY --from=build /opt/venv /opt/venv

# Alembic reads its ini and scripts from files, not from the installed package. Owned by root and
# read-only for the service user: nothing in the image is writable by the process.
WORKDIR /app
COPY services/${SERVICE}/alembic.ini services/${SERVICE}/alembic.ini
COPY services/${SERVICE}/migrations/ services/${SERVICE}/migrations/

USER 10001:10001
EXPOSE 8000

# Liveness only: readiness (database and broker) is for the orchestrator to route traffic by,
# and a broker outage must not get a healthy process restarted.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2)"]

# No Server header: it only tells a scanner what to try. uvloop and httptools, with a bound on a
# request's head while it arrives (continuum.web.server): decisions 25 and 38.
# exec: uvicorn becomes PID 1 and receives the orchestrator's SIGTERM (graceful shutdown).
CMD ["sh", "-c", "exec uvicorn \"${SERVICE}.app:create_app\" --factory --host 0.0.0.0 --port 8000 --no-server-header --loop uvloop --http continuum.web.server:HttpToolsWithHeadLimit"]
