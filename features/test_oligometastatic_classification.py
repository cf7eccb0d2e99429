"""BDD: Oligometastatic disease and the ESTRO/EORTC classification.

The scenarios of oligometastatic_classification.feature.
"""

from pytest_bdd import scenarios

scenarios("oligometastatic_classification.feature")
