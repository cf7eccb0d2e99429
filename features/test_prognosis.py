"""BDD: Prognosis: documented and model-derived expected survival — the scenarios of prognosis.feature."""

from pytest_bdd import scenarios

scenarios("prognosis.feature")
