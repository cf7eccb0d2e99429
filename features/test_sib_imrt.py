"""BDD: SIB-IMRT eligibility (Marazzi 2025) — the scenarios of sib_imrt.feature."""

from pytest_bdd import scenarios

scenarios("sib_imrt.feature")
