"""The skeleton map: geometry of a simplified anterior skeleton and where each lesion is marked.

Hand-written SVG (no libraries, no external assets). This module only computes shapes and
positions; ``templates/_skeleton.svg.j2`` draws them, so every string reaching the page goes
through Jinja's autoescaping.

Orientation is the radiological convention clinicians read every day: an anterior view with the
patient's right on the viewer's left. Both sides are labelled on the map, so nobody has to guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cds.anatomy import REGION_LEVELS, VERTEBRAE, base_bone, is_vertebra, laterality, level_range_label

WIDTH = 400
HEIGHT = 960
CX = 200.0  # midline

# Vertebral body heights and widths per region (a rough anatomical taper, not to scale).
_REGION_GEOMETRY: dict[str, tuple[float, float]] = {"C": (12.0, 24.0), "T": (15.0, 30.0), "L": (18.0, 40.0)}
_SACRAL_WIDTHS = (52.0, 42.0, 32.0, 24.0, 16.0)
_SACRAL_HEIGHT = 11.0
_GAP = 2.0
_SPINE_TOP = 106.0
BADGE_R = 8.5
SPINE_BADGE_X = CX + 46.0


@dataclass(frozen=True)
class Level:
    """One vertebra: its drawn rectangle and its label."""

    name: str
    x: float
    y: float
    width: float
    height: float

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def label_size(self) -> float:
        return min(9.0, self.height - 2.5)


def _levels() -> tuple[Level, ...]:
    levels: list[Level] = []
    y = _SPINE_TOP
    for name in VERTEBRAE:
        if name.startswith("S"):
            height, width = _SACRAL_HEIGHT, _SACRAL_WIDTHS[int(name[1:]) - 1]
        else:
            height, width = _REGION_GEOMETRY[name[0]]
            if name[0] == "T":  # thoracic bodies widen towards the lumbar spine
                width += (int(name[1:]) - 1) * 0.8
        levels.append(Level(name, CX - width / 2, y, width, height))
        y += height + _GAP
    return tuple(levels)


LEVELS: tuple[Level, ...] = _levels()
_LEVEL_BY_NAME = {level.name: level for level in LEVELS}


def level(name: str) -> Level:
    return _LEVEL_BY_NAME[name]


def _mirror(side: int, dx: float) -> float:
    return CX + side * dx


# Patient's right is the viewer's left (radiological convention).
SIDE_SIGN = {"right": -1, "left": 1}


def _bone_paths() -> list[tuple[str, str, str]]:
    """(css class, accessible title, SVG path) for every drawn bone other than the vertebrae."""
    paths: list[tuple[str, str, str]] = [
        ("bone", "Skull", "M200,12 C238,12 252,40 250,66 C248,88 236,98 222,102 L178,102 C164,98 152,88 150,66 "
                          "C148,40 162,12 200,12 Z"),
        ("bone faint", "Mandible", "M172,92 C176,112 224,112 228,92"),
    ]
    t = {n: level(n) for n in VERTEBRAE if n.startswith("T")}
    for side_name, side in (("right", -1), ("left", 1)):
        s = side
        # Clavicle: sternal end near T1 to the acromion.
        y1 = t["T1"].y
        paths.append(("bone", f"{side_name.capitalize()} clavicle",
                      f"M{_mirror(s, 14)},{y1 + 4} C{_mirror(s, 40)},{y1 - 6} {_mirror(s, 60)},{y1 + 2} "
                      f"{_mirror(s, 84)},{y1 - 4}"))
        # Scapula: a triangle behind the upper ribs.
        paths.append(("bone faint", f"{side_name.capitalize()} scapula",
                      f"M{_mirror(s, 62)},{y1 + 8} L{_mirror(s, 92)},{y1 + 4} L{_mirror(s, 70)},{y1 + 92} Z"))
        # Ribs: one arc per thoracic level, longest in the middle of the chest.
        for i in range(1, 13):
            lv = t[f"T{i}"]
            reach = 52 + 26 * (1 - abs(i - 7) / 7)  # lateral extent
            drop = 16 + i * 1.2
            x0 = _mirror(s, lv.width / 2)
            paths.append(("rib", f"{side_name.capitalize()} rib {i}",
                          f"M{x0:.1f},{lv.cy:.1f} C{_mirror(s, reach * 0.7):.1f},{lv.cy - 10:.1f} "
                          f"{_mirror(s, reach + 6):.1f},{lv.cy + drop * 0.4:.1f} "
                          f"{_mirror(s, reach):.1f},{lv.cy + drop:.1f}"))
        # Humerus, radius and ulna.
        paths.append(("bone", f"{side_name.capitalize()} humerus",
                      f"M{_mirror(s, 88)},{y1 + 8} C{_mirror(s, 100)},{y1 + 4} {_mirror(s, 104)},{y1 + 14} "
                      f"{_mirror(s, 100)},{y1 + 26} L{_mirror(s, 110)},{y1 + 178} L{_mirror(s, 100)},{y1 + 180} "
                      f"L{_mirror(s, 92)},{y1 + 28} Z"))
        paths.append(("bone", f"{side_name.capitalize()} radius",
                      f"M{_mirror(s, 110)},{y1 + 186} L{_mirror(s, 126)},{y1 + 330} L{_mirror(s, 120)},{y1 + 331} "
                      f"L{_mirror(s, 105)},{y1 + 188} Z"))
        paths.append(("bone", f"{side_name.capitalize()} ulna",
                      f"M{_mirror(s, 99)},{y1 + 186} L{_mirror(s, 110)},{y1 + 332} L{_mirror(s, 104)},{y1 + 333} "
                      f"L{_mirror(s, 94)},{y1 + 188} Z"))
        # Pelvis: ilium (wing), acetabulum, ischium and pubis.
        sy = level("S1").y
        paths.append(("bone", f"{side_name.capitalize()} ilium",
                      f"M{_mirror(s, 26)},{sy} C{_mirror(s, 40)},{sy - 44} {_mirror(s, 84)},{sy - 52} "
                      f"{_mirror(s, 92)},{sy - 28} L{_mirror(s, 86)},{sy + 8} L{_mirror(s, 70)},{sy + 44} "
                      f"L{_mirror(s, 24)},{sy + 36} Z"))
        paths.append(("bone", f"{side_name.capitalize()} ischium and pubis",
                      f"M{_mirror(s, 70)},{sy + 60} L{_mirror(s, 56)},{sy + 96} L{_mirror(s, 40)},{sy + 98} "
                      f"L{_mirror(s, 34)},{sy + 80} L{_mirror(s, 6)},{sy + 78} L{_mirror(s, 6)},{sy + 62} "
                      f"L{_mirror(s, 46)},{sy + 56} Z"))
        # Femur: head in the acetabulum, neck to the greater trochanter, shaft to the knee.
        hy = sy + 54
        paths.append(("bone", f"{side_name.capitalize()} femoral neck and greater trochanter",
                      f"M{_mirror(s, 70)},{hy + 4} L{_mirror(s, 84)},{hy + 20} L{_mirror(s, 92)},{hy + 14} "
                      f"L{_mirror(s, 90)},{hy + 40} L{_mirror(s, 76)},{hy + 42} L{_mirror(s, 62)},{hy + 14} Z"))
        paths.append(("bone", f"{side_name.capitalize()} femoral shaft",
                      f"M{_mirror(s, 90)},{hy + 40} L{_mirror(s, 74)},{hy + 226} L{_mirror(s, 60)},{hy + 226} "
                      f"L{_mirror(s, 76)},{hy + 42} Z"))
        paths.append(("bone", f"{side_name.capitalize()} tibia",
                      f"M{_mirror(s, 54)},{hy + 236} L{_mirror(s, 76)},{hy + 236} L{_mirror(s, 68)},{hy + 260} "
                      f"L{_mirror(s, 64)},{hy + 390} L{_mirror(s, 54)},{hy + 390} L{_mirror(s, 56)},{hy + 260} Z"))
        paths.append(("bone", f"{side_name.capitalize()} fibula",
                      f"M{_mirror(s, 78)},{hy + 244} L{_mirror(s, 82)},{hy + 244} L{_mirror(s, 78)},{hy + 386} "
                      f"L{_mirror(s, 74)},{hy + 386} Z"))
    return paths


BONE_PATHS: tuple[tuple[str, str, str], ...] = tuple(_bone_paths())


@dataclass(frozen=True)
class Circle:
    css: str
    title: str
    cx: float
    cy: float
    r: float


def _circles() -> list[Circle]:
    sy = level("S1").y
    out: list[Circle] = []
    for side_name, s in (("right", -1), ("left", 1)):
        out.append(Circle("bone joint", f"{side_name.capitalize()} acetabulum", _mirror(s, 62), sy + 56, 13))
        out.append(Circle("bone", f"{side_name.capitalize()} femoral head", _mirror(s, 64), sy + 57, 9))
    return out


BONE_CIRCLES: tuple[Circle, ...] = tuple(_circles())


def _anchors() -> dict[str, tuple[float, float]]:
    """Where a lesion of each bone is marked, for the patient's LEFT side (x offset from midline, y)."""
    y1 = level("T1").y
    sy = level("S1").y
    hy = sy + 54
    rib_y = level("T6").cy + 22
    return {
        "clavicle": (48, y1 - 2),
        "scapula": (76, y1 + 44),
        "humerus": (102, y1 + 100),
        "radius": (121, y1 + 270),
        "ulna": (100, y1 + 270),
        "rib": (74, rib_y),
        "pelvis": (62, sy - 14),
        "ilium": (62, sy - 14),
        "sacroiliac joint": (28, sy + 12),
        "acetabulum": (50, sy + 54),
        "ischium": (52, sy + 88),
        "pubis": (22, sy + 70),
        "femoral head": (66, hy + 2),
        "femoral neck": (82, hy + 20),
        "femur": (80, hy + 110),
        "femoral shaft": (80, hy + 110),
        "tibia": (62, hy + 320),
        "fibula": (84, hy + 320),
    }


BONE_ANCHORS: dict[str, tuple[float, float]] = _anchors()
MIDLINE_ANCHORS: dict[str, tuple[float, float]] = {"skull": (CX, 52), "cranium": (CX, 52)}


@dataclass(frozen=True)
class Badge:
    """One marker symbol on the map."""

    x: float
    y: float


@dataclass(frozen=True)
class Mark:
    """A lesion drawn on the map: a link to its panel with an accessible name and test hooks."""

    lesion_id: str
    anchor: str
    number: int
    urgency: str
    symbol: str
    label: str
    accessible_name: str
    prior_rt: bool
    levels: tuple[str, ...] = ()
    bone: str = ""
    side: str = ""
    badges: tuple[Badge, ...] = ()
    level_boxes: tuple[Level, ...] = ()
    bracket: tuple[float, float] | None = None
    """For a lesion named by a spinal region only: the (top, bottom) y of that region."""


@dataclass
class MapLesion:
    """What the map needs to know about one lesion (built by the report view model)."""

    lesion_id: str
    anchor: str
    number: int
    site: str
    region: str
    levels: tuple[str, ...]
    bone: str | None
    side: str | None
    urgency: str
    symbol: str
    urgency_text: str
    prior_rt: bool


@dataclass
class SkeletonMap:
    marks: list[Mark] = field(default_factory=list)
    unplaced: list[tuple[MapLesion, str]] = field(default_factory=list)
    """Lesions not drawn, with why ("site not documented", "bone not drawn on the map")."""
    width: int = WIDTH
    height: int = HEIGHT
    cx: float = CX

    @property
    def levels(self) -> tuple[Level, ...]:
        return LEVELS

    @property
    def bone_paths(self) -> tuple[tuple[str, str, str], ...]:
        return BONE_PATHS

    @property
    def bone_circles(self) -> tuple[Circle, ...]:
        return BONE_CIRCLES


_RIB_NUMBER = re.compile(r"\brib\s*(\d{1,2})\b")


def _bone_anchor(bone: str) -> tuple[str, tuple[float, float]] | None:
    """The base bone name and its anchor (left-side offset) for a bone string, or None."""
    name = base_bone(bone.strip().lower())
    numbered = _RIB_NUMBER.search(name)
    if numbered and 1 <= int(numbered.group(1)) <= 12:
        n = int(numbered.group(1))
        lv = level(f"T{n}")
        reach = 52 + 26 * (1 - abs(n - 7) / 7)
        return "rib", (reach - 2, lv.cy + 10 + n * 0.6)
    for candidate in (name, name.removesuffix(" bone")):
        if candidate in BONE_ANCHORS:
            return candidate, BONE_ANCHORS[candidate]
    if name.startswith("rib"):
        return "rib", BONE_ANCHORS["rib"]
    return None


def _accessible_name(lesion: MapLesion, where: str) -> str:
    parts = [f"Lesion {lesion.number}: {where}", lesion.urgency_text]
    if lesion.prior_rt:
        parts.append("previously irradiated")
    return " — ".join(parts)


def _spine_mark(lesion: MapLesion, levels: Sequence[str], offset: int) -> Mark:
    boxes = tuple(level(name) for name in levels)
    cy = (boxes[0].y + boxes[-1].y + boxes[-1].height) / 2
    where = level_range_label(levels)
    return Mark(
        lesion_id=lesion.lesion_id, anchor=lesion.anchor, number=lesion.number, urgency=lesion.urgency,
        symbol=lesion.symbol, label=str(lesion.number), accessible_name=_accessible_name(lesion, where),
        prior_rt=lesion.prior_rt, levels=tuple(levels), badges=(Badge(SPINE_BADGE_X + offset * 22, cy),),
        level_boxes=boxes,
    )


def build_map(lesions: Sequence[MapLesion]) -> SkeletonMap:
    """Place every lesion on the map, or list it beside the map with the reason it is not drawn."""
    result = SkeletonMap()
    used: dict[tuple[float, float], int] = {}  # badges already at a spot: stack further ones below

    def spot(x: float, y: float) -> tuple[float, float]:
        key = (round(x), round(y))
        n = used.get(key, 0)
        used[key] = n + 1
        return x, y + n * (2 * BADGE_R + 3)

    spine_rows: dict[str, int] = {}
    for lesion in lesions:
        levels = tuple(lv for lv in lesion.levels if is_vertebra(lv))
        if levels:
            # Two lesions at overlapping levels get their badges side by side.
            offset = max((spine_rows.get(lv, 0) for lv in levels), default=0)
            for lv in levels:
                spine_rows[lv] = offset + 1
            result.marks.append(_spine_mark(lesion, levels, offset))
            continue
        site_key = (lesion.bone or lesion.site or "").strip().lower()
        if lesion.region == "unspecified" or site_key in ("", "unspecified"):
            result.unplaced.append((lesion, "site not documented"))
            continue
        region_levels = REGION_LEVELS.get(base_bone(site_key))
        if region_levels:
            # A region without a level ("lumbar spine", "sacrum"): bracket the whole region.
            top, bottom = level(region_levels[0]), level(region_levels[-1])
            x, y = spot(SPINE_BADGE_X, (top.y + bottom.y + bottom.height) / 2)
            result.marks.append(Mark(
                lesion_id=lesion.lesion_id, anchor=lesion.anchor, number=lesion.number, urgency=lesion.urgency,
                symbol=lesion.symbol, label=str(lesion.number),
                accessible_name=_accessible_name(lesion, f"{lesion.site} (level not documented)"),
                prior_rt=lesion.prior_rt, bone=base_bone(site_key), side="midline", badges=(Badge(x, y),),
                bracket=(top.y, bottom.y + bottom.height),
            ))
            continue
        base = base_bone(site_key)
        if base in MIDLINE_ANCHORS:
            x, y = spot(*MIDLINE_ANCHORS[base])
            result.marks.append(Mark(
                lesion_id=lesion.lesion_id, anchor=lesion.anchor, number=lesion.number, urgency=lesion.urgency,
                symbol=lesion.symbol, label=str(lesion.number),
                accessible_name=_accessible_name(lesion, lesion.site), prior_rt=lesion.prior_rt, bone=base,
                side="midline", badges=(Badge(x, y),),
            ))
            continue
        found = _bone_anchor(site_key)
        if found is None:
            result.unplaced.append((lesion, "bone not drawn on the map"))
            continue
        bone, (dx, y0) = found
        side = lesion.side or laterality(site_key)
        if side in SIDE_SIGN:
            badges = (Badge(*spot(_mirror(SIDE_SIGN[side], dx), y0)),)
            where = lesion.site
        else:
            # Side not documented: mark both sides rather than guess one.
            side = "unknown"
            badges = tuple(Badge(*spot(_mirror(s, dx), y0)) for s in (-1, 1))
            where = f"{lesion.site} (side not documented)"
        result.marks.append(Mark(
            lesion_id=lesion.lesion_id, anchor=lesion.anchor, number=lesion.number, urgency=lesion.urgency,
            symbol=lesion.symbol, label=str(lesion.number), accessible_name=_accessible_name(lesion, where),
            prior_rt=lesion.prior_rt, bone=bone, side=side, badges=badges,
        ))
    return result
