"""The persistence room: each service's PostgreSQL database, kept one way.

- ``db``: engines, sessions, roles, and the line between a transient outage and a bad row;
- ``uow``: the unit of work, one transaction carrying a change, its outbox events, its audit rows
  and its read budget (``read_budget``);
- ``idempotency``: ``Idempotency-Key`` answers stored with the change they answered;
- ``child_copy``: a service's copy of the child's details, kept from ``child.*`` events;
- ``migrations``: the Alembic operations the services' migrations share.

It imports the casework and contracts rooms beneath it, never messaging or web.
"""
