"""BDD: Metastatic epidural spinal cord compression — the scenarios of cord_compression.feature."""

from pytest_bdd import scenarios

scenarios("cord_compression.feature")
