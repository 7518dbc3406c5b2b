"""The step-down service's use cases: load, call the domain, save, publish, audit."""
