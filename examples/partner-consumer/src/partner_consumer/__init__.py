"""An example of a partner agency's consumer of its own Continuum topic ``continuum.partner.<agency>``.

It validates each event against the published JSON Schema (``partner.status`` v1), keeps each
child's current status by NHS number in a local SQLite file, drops a redelivered event by its id,
ignores an older status that arrives after a newer one, and sets an invalid event aside in a local
rejects file without stopping. It imports nothing of Continuum: an agency builds on the schema.
"""
