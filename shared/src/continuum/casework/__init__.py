"""The casework room: what every service's rules share and that knows no HTTP, database or broker.

- ``calendar`` and ``clock``: working days, London dates, the one clock a rule reads;
- ``policy``: the council's policy file (teams, partner contacts, budgets);
- ``principal``: who acts (roles, teams, the social-work qualification);
- ``errors``: what a rule says when it is broken (invalid, refused, conflict, not found);
- ``closure`` and ``partners``: the shapes an episode's closure and a partner status take.

It imports only ``continuum.contracts`` (the published language) beneath it.
"""
