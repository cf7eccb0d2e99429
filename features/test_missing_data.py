"""BDD: Missing data: unknown is not false — the scenarios of missing_data.feature."""

from pytest_bdd import scenarios

scenarios("missing_data.feature")
