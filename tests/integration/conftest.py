"""Fixtures shared by the integration tests: the study bank of `test_study.py` as `bank`."""

from tests.integration.test_study import bank  # noqa: F401  (a fixture, found by name)
