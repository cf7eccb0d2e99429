"""BDD: Spinal instability (SINS) — the scenarios of spinal_instability.feature."""

from pytest_bdd import scenarios

scenarios("spinal_instability.feature")
