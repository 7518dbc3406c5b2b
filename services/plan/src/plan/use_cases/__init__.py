"""The plan service's use cases, one module per group: ``drafting`` (the assessment service's
events and the child's identity, in the consumer's transaction), ``editing`` (content, actions,
family, interventions), ``lifecycle`` (approval, ending), ``casework`` (reviews, visits,
meetings), ``preproceedings``, ``drift`` (the scheduler's) and ``reads``.

A use case takes the unit of work and keyword-only arguments, opens ``async with uow as tx``,
loads through the repository, calls the domain, saves, publishes the transition's events and
audits; it answers with an API model (or its JSON), never an HTTP status.
"""
