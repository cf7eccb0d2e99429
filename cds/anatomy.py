"""Skeletal anatomy: vertebral levels, bones and the regions the rules reason about."""

from __future__ import annotations

from collections.abc import Iterable

from cds.state import Region

VERTEBRAE: tuple[str, ...] = (
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
)
_INDEX = {level: i for i, level in enumerate(VERTEBRAE)}

LONG_BONES = frozenset({"femur", "femoral head", "femoral neck", "femoral shaft", "humerus", "proximal humerus",
                        "humeral head", "humeral neck", "radius", "ulna", "tibia", "fibula"})
PELVIC_BONES = frozenset({"pelvis", "ilium", "ischium", "pubis", "acetabulum", "sacroiliac joint"})
SHOULDER_GIRDLE = frozenset({"scapula", "glenoid", "acromion", "clavicle"})
UPPER_LIMB = frozenset({"humerus", "proximal humerus", "humeral head", "humeral neck", "radius", "ulna"})
LOWER_LIMB = frozenset({"femur", "femoral shaft", "tibia", "fibula"})
PERITROCHANTERIC = frozenset({"femoral head", "femoral neck"})


def is_vertebra(level: str) -> bool:
    return level in _INDEX


def level_index(level: str) -> int:
    return _INDEX[level]


def sort_levels(levels: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(levels), key=level_index))


def contiguous_groups(levels: Iterable[str]) -> list[tuple[str, ...]]:
    """Split vertebral levels into runs of adjacent levels (T8, T9, L2 -> [(T8, T9), (L2,)])."""
    groups: list[list[str]] = []
    for level in sort_levels(levels):
        if groups and level_index(level) == level_index(groups[-1][-1]) + 1:
            groups[-1].append(level)
        else:
            groups.append([level])
    return [tuple(g) for g in groups]


def are_contiguous(levels: Iterable[str]) -> bool:
    return len(contiguous_groups(levels)) <= 1


def level_range_label(levels: Iterable[str]) -> str:
    """'T8', 'T8–T9' or 'T8–T9, L2'."""
    parts = []
    for group in contiguous_groups(levels):
        parts.append(group[0] if len(group) == 1 else f"{group[0]}–{group[-1]}")
    return ", ".join(parts)


def base_bone(bone: str) -> str:
    """Drop laterality: 'right acetabulum' -> 'acetabulum'."""
    for side in ("left ", "right "):
        if bone.startswith(side):
            return bone[len(side):]
    return bone


def laterality(bone: str) -> str | None:
    for side in ("left", "right"):
        if bone.startswith(side + " "):
            return side
    return None


def region_of_bone(bone: str) -> Region:
    name = base_bone(bone)
    if name in LONG_BONES:
        return "long-bone"
    if name in PELVIC_BONES:
        return "pelvis"
    if name == "rib":
        return "rib"
    if name in SHOULDER_GIRDLE:
        return "shoulder-girdle"
    if name in {"cranium", "skull"}:
        return "skull"
    if name in {"sacrum", "lumbar spine", "lumbar vertebra", "thoracic vertebra", "cervical vertebra",
                "thoracic spine", "cervical spine", "spine"}:
        return "spine"
    return "other"


# Named parts of a bone and what they lie in (or, for a joint, which bones form it): a course to the
# femur covers the femoral neck, one to the scapula the glenoid. Two parts of one bone (femoral head and
# shaft, glenoid and acromion) are not assumed to overlap.
PART_OF: dict[str, frozenset[str]] = {
    "femoral head": frozenset({"femur"}),
    "femoral neck": frozenset({"femur"}),
    "femoral shaft": frozenset({"femur"}),
    "proximal humerus": frozenset({"humerus"}),
    "humeral head": frozenset({"humerus", "proximal humerus"}),
    "humeral neck": frozenset({"humerus", "proximal humerus"}),
    "glenoid": frozenset({"scapula"}),
    "acromion": frozenset({"scapula"}),
    "ilium": frozenset({"pelvis"}),
    "ischium": frozenset({"pelvis"}),
    "pubis": frozenset({"pelvis"}),
    "acetabulum": frozenset({"pelvis"}),
    "sacroiliac joint": frozenset({"pelvis", "ilium"}),
}


def bones_overlap(a: str, b: str) -> bool:
    """Same bone, allowing a lateral/unlateral or part/whole match (femoral neck ~ femur)."""
    x, y = base_bone(a), base_bone(b)
    if x != y and y not in PART_OF.get(x, ()) and x not in PART_OF.get(y, ()):
        return False
    la, lb = laterality(a), laterality(b)
    return la is None or lb is None or la == lb


# Vertebral regions named without a level (e.g. 'lumbar spine'): the levels they may stand for.
REGION_LEVELS: dict[str, tuple[str, ...]] = {
    "cervical spine": tuple(f"C{i}" for i in range(1, 8)),
    "cervical vertebra": tuple(f"C{i}" for i in range(1, 8)),
    "thoracic spine": tuple(f"T{i}" for i in range(1, 13)),
    "thoracic vertebra": tuple(f"T{i}" for i in range(1, 13)),
    "lumbar spine": tuple(f"L{i}" for i in range(1, 6)),
    "lumbar vertebra": tuple(f"L{i}" for i in range(1, 6)),
    "sacrum": tuple(f"S{i}" for i in range(1, 6)),
}
