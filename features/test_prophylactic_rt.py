"""BDD: Prophylactic RT for asymptomatic high-risk lesions (Gillespie 2024).

The scenarios of prophylactic_rt.feature.
"""

from pytest_bdd import scenarios

scenarios("prophylactic_rt.feature")
