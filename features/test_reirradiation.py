"""BDD: Re-irradiation and cumulative spinal-cord dose — the scenarios of reirradiation.feature."""

from pytest_bdd import scenarios

scenarios("reirradiation.feature")
