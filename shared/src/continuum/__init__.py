"""Continuum shared kernel.

Infrastructure every service stands on (settings, database, outbox, consumer runner, auth, audit,
errors, observability, the working-day calendar) and the published language: the event contracts
and the DfE census code lists. No service's business rules live here.
"""
