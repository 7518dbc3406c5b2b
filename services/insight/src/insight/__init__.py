"""The insight service: the read model of every case event, and what is read from it."""
