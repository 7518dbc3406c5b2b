"""Continuum shared kernel: what every service stands on, in rooms by concern.

Read from the bottom up; each room imports only the rooms beneath it (an import contract holds it):

- ``continuum.contracts``: the published language, the events' schemas and the DfE code lists;
- ``continuum.casework``: calendar, clock, policy, principal, domain errors, closure and partner status;
- ``continuum.persistence``: database, unit of work, outbox and audit rows, idempotency, child copy;
- ``continuum.messaging``: outbox relay, consumer runner, dead letters, Kafka;
- ``continuum.web``: the application factory, auth, permissions, problem+json, request limits.

Beside them, ``settings`` and ``observability`` import no room. The dev stack, the CLI and the test
support live in the separate ``continuum_tools`` distribution, which production images leave out.
No service's business rules live here.
"""
