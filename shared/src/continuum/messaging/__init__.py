"""The messaging room: Kafka in and out, so that nothing is lost and nothing doubled.

- ``relay``: the outbox relay, publishing what a transaction committed, a case's events in order;
- ``consumer``: the idempotent consumer runner (inbox, retries, poison to the dead-letter topic);
- ``dlq``: the dead-letter topic and its replay; ``kafka``: clients and their settings;
- ``broker_probe``: readiness's view of the broker; ``supervise``: restarting a loop that failed.

It imports persistence, casework and contracts beneath it, never web.
"""
