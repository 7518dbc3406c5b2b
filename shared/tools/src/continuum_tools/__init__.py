"""Continuum's tools, which a service's production install does not need: the embedded dev stack
(``devstack``, behind ``make run``), the ``continuum`` command line (tokens, schemas, dead-letter
replay, outbox republish) and the test support every service's tests share (``testing``)."""
