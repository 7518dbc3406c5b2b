"""The use cases of the insight service: the consumer's in-transaction step and the reads."""
