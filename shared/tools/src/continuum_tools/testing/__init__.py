"""Test support for every service's tests: the embedded PostgreSQL server and Tansu broker,
started once per test session, a migrated database per service, helpers to read topics and call
the API, and test suites every service runs against its own routes and events (:mod:`.suites`).

Loaded by the root ``conftest.py`` (``pytest_plugins = ["continuum_tools.testing"]``): the
fixtures are found here, so they are imported by name below.
"""

from __future__ import annotations

from continuum_tools.testing.api import (
    ROLES_TO_WALK,
    ServiceCases,
    assert_problem,
    bodies_without_examples,
    call_operation,
    dumps,
    fuzz_api,
    la_child_id,
    minimal_service,
    undescribed_fields,
    unique,
)
from continuum_tools.testing.checks import changes_nothing, eventually, table_counts
from continuum_tools.testing.children import child_event
from continuum_tools.testing.events import read_events, read_raw, send_events
from continuum_tools.testing.faults import TcpProxy
from continuum_tools.testing.fixtures import (
    PERSONAL_DATA,
    SESSION_LOG,
    TEST_SIGNING_KEY,
    broker,
    make_database,
    owner_url,
    postgres,
    remember_personal_data,
    session_log,
    start_broker,
    test_settings,
)

__all__ = [
    "PERSONAL_DATA",
    "ROLES_TO_WALK",
    "SESSION_LOG",
    "TEST_SIGNING_KEY",
    "ServiceCases",
    "TcpProxy",
    "assert_problem",
    "bodies_without_examples",
    "broker",
    "call_operation",
    "changes_nothing",
    "child_event",
    "dumps",
    "eventually",
    "fuzz_api",
    "la_child_id",
    "make_database",
    "minimal_service",
    "owner_url",
    "postgres",
    "read_events",
    "read_raw",
    "remember_personal_data",
    "send_events",
    "session_log",
    "start_broker",
    "table_counts",
    "test_settings",
    "undescribed_fields",
    "unique",
]
