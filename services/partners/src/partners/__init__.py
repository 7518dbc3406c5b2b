"""The partners service: tells each partner agency the statuses its subscription allows, on its own
topic, and logs every decision to share or not (issue 19, decision 56)."""
