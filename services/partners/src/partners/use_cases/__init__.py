"""The partners service's use cases: the gateway's step for each status (in the consumer's
transaction) and the sharing log's reads."""
