"""Use cases. Each function owns its transaction, takes ids and ``now``, and raises typed errors."""
