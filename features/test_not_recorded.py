"""BDD: What the record does not say — the scenarios of not_recorded.feature."""

from pytest_bdd import scenarios

scenarios("not_recorded.feature")
