"""Children's journeys through the services' public APIs: the steps (``Driver``), the children and
episodes they follow, and a running stack over HTTP (``LiveStack``). Used by the journey tests and
by ``continuum demo``; nothing here imports pytest."""
