"""The referral service's use cases, one module per group. Each use case takes the unit of work and
keyword-only arguments, opens ``async with uow as tx``, loads through the repository, calls the
domain, saves, publishes the transition's events and audits; it answers API models, never an HTTP
status. An in-transaction step takes the ``Transaction`` it runs in instead, and never opens one."""
