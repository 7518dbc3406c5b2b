"""The step-down service: transitions out of social care, handovers to early help, step-ups."""
