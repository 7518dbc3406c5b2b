"""The assessment service's use cases, one module per group: ``intake`` (the front door's
decisions and the child's identity, in the consumer's transaction), ``allocation``, ``recording``,
``review``, ``section47``, ``timeliness`` (the overdue scheduler's) and ``reads``.

A use case takes the unit of work and keyword-only arguments, opens ``async with uow as tx``,
loads through the repository, calls the domain, saves, publishes the transition's events and
audits; it answers with an API model or nothing, never an HTTP status. A step that runs inside
another's transaction (a consumer's) takes the ``Transaction`` and never opens one.
"""
