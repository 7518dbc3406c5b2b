"""The plan service: child in need and child protection plans, their reviews, visits, meetings,
pre-proceedings, drift and ending."""
