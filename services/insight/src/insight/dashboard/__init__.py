"""The managers' dashboard: server-rendered pages of the measures (the same use case and view as
``GET /v1/measures``), the worklists that need action and the returns' downloads, in the GOV.UK
Design System, for those who may read the measures, signed in through the council's OpenID
Connect provider (in dev and test, the dev issuer). Decision 54."""
