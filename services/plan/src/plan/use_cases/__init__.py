"""The plan service's use cases, one module per group: ``plans`` (every change of a plan, by its
command: the decisions are in ``editing`` (content, actions, family, interventions), ``casework``
(reviews, visits, meetings, strategy discussions) and ``lifecycle`` (approval, ending)),
``drafting`` (the consumed events and the child's identity, in the consumer's transaction),
``preproceedings``, ``drift`` (the scheduler's) and ``reads``; ``steps`` holds what they share.

A use case takes the unit of work, a command (``plan.commands``) or keyword arguments, opens
``async with uow as tx`` and answers a domain result (``plan.results``, a domain state, or the
first answer's body again as the kernel's ``Replayed``), never an API model or an HTTP status.
"""
