"""The web room: HTTP in front of a service, the only room that knows FastAPI.

- ``app``: the application factory every service builds with (lifespan, relay, consumers);
- ``http`` and ``permissions``: routers whose every route is in the service's permission table;
- ``auth`` and ``access``: tokens to principals, object-level checks with their audit rows;
- ``errors``: problem+json, and the one table from a domain error to its status;
- ``requests``, ``limits``, ``server``, ``pagination``: strict bodies, bounded requests and heads,
  cursors.

It is the top room: it imports every other, and none imports it.
"""
