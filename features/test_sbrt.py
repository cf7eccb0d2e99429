"""BDD: Stereotactic body radiotherapy (SBRT) and the BED table — the scenarios of sbrt.feature."""

from pytest_bdd import scenarios

scenarios("sbrt.feature")
