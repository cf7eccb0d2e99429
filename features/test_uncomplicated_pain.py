"""BDD: Uncomplicated painful bone metastasis — the scenarios of uncomplicated_pain.feature."""

from pytest_bdd import scenarios

scenarios("uncomplicated_pain.feature")
