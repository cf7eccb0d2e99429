"""BDD: Patients with several lesions — the scenarios of multi_lesion.feature."""

from pytest_bdd import scenarios

scenarios("multi_lesion.feature")
