"""BDD: Long-bone impending and pathological fracture (Mirels) — the scenarios of long_bone_fracture.feature."""

from pytest_bdd import scenarios

scenarios("long_bone_fracture.feature")
