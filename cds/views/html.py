"""The HTML views: the per-patient report, the rules catalogue and the service's index page.

Every page is one self-contained document: inline CSS, inline SVG, no scripts and no external
fonts or assets (only citation links leave the page), so it works offline, prints well and can
be attached to a chart review. Templates live in ``cds/views/templates/`` and are rendered with
autoescaping on: patient data never reaches the page unescaped.

The CDS Hooks service stores evaluations and serves these same pages; it calls
``render_report``, ``render_catalogue`` and ``render_index``. The CLI calls ``write_pages``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from cds import __version__
from cds.output import Evaluation, PatientSummary
from cds.rules_engine import conditions as cond
from cds.rules_engine.catalogue import catalogue_json
from cds.rules_engine.loader import Ruleset
from cds.views.report_model import (
    STATUS_SYMBOL,
    STATUS_WORD,
    URGENCY_ORDER,
    URGENCY_SYMBOL,
    URGENCY_WORD,
    VERIFICATION_SYMBOL,
    build_report,
)
from cds.views.summary import CODE_TITLES, criterion_status_text, gap_status_word, gap_text, is_avoid

TEMPLATES = Path(__file__).parent / "templates"

__all__ = ["IndexRow", "PageWriter", "load_exercised", "render_catalogue", "render_index", "render_page",
           "render_report", "safe_filename", "write_pages"]


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a typo in a template fails the tests instead of rendering blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Our own stylesheet, read once; it is inlined so the page needs nothing else.
    env.globals["css"] = Markup((TEMPLATES / "style.css").read_text(encoding="utf-8"))
    env.filters["web_url"] = web_url
    env.filters["link_url"] = link_url
    env.globals["package_version"] = __version__
    env.globals["status_symbol"] = STATUS_SYMBOL
    env.globals["status_word"] = STATUS_WORD
    env.globals["verification_symbol"] = VERIFICATION_SYMBOL
    env.globals["urgency_symbol"] = URGENCY_SYMBOL
    env.globals["urgency_word"] = URGENCY_WORD
    env.globals["code_titles"] = CODE_TITLES
    env.filters["criterion_status"] = criterion_status_text
    env.filters["gap_text"] = gap_text
    env.filters["gap_status"] = gap_status_word
    return env


def web_url(url: str | None) -> str | None:
    """An http(s) URL for a citation link, or None: escaping alone would let ``javascript:`` through."""
    if not url:
        return None
    text = url.strip()
    return text if urlsplit(text).scheme.lower() in ("http", "https") else None


def link_url(url: str | None) -> str | None:
    """An http(s) URL or a same-site path (``/cds-services``, ``reports/x``), else None."""
    if not url:
        return None
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() in ("http", "https"):
        return text
    return text if not parts.scheme and not parts.netloc and not text.startswith("//") else None


def render_report(evaluation: Evaluation) -> str:
    """The full, self-contained HTML page for one patient's evaluation."""
    report = build_report(evaluation)
    return _env().get_template("report.html.j2").render(r=report, m=report.skeleton)


# --- the rules catalogue ----------------------------------------------------------------------

AREA_TITLES: dict[str, str] = {
    "cord-compression": "Metastatic spinal cord compression",
    "spinal-instability": "Spinal instability",
    "long-bone-fracture": "Long-bone fracture risk",
    "postoperative": "After surgery",
    "prophylactic-rt": "Prophylactic radiotherapy",
    "reirradiation": "Re-irradiation",
    "sbrt": "Stereotactic body radiotherapy (SBRT)",
    "sib-imrt": "SIB-IMRT for oligometastatic breast cancer",
    "uncomplicated-pain": "Uncomplicated painful metastases",
}


def area_title(area: str) -> str:
    return AREA_TITLES.get(area, area.replace("-", " ").capitalize())


def render_catalogue(ruleset: Ruleset, exercised: dict[str, list[str]] | None = None) -> str:
    """Every rule in plain language with its condition, citations, evidence status and BDD scenarios.

    ``exercised`` maps rule id to the names of the BDD scenarios that fired it; ``None`` means no
    BDD run was recorded (said so on the page, rather than claiming nothing is exercised).
    """
    data = catalogue_json(ruleset)
    areas: dict[str, list[dict[str, Any]]] = {}
    for rule in data["rules"]:
        areas.setdefault(rule["area"], []).append(rule)
    definitions = [
        {"name": name, "description": str(getattr(spec, "description", "") or "").strip(),
         "evidence_status": getattr(spec, "evidence_status", None),
         "condition": cond.render(ruleset.definitions[name]) if name in ruleset.definitions else ""}
        for name, spec in ruleset.definition_specs.items()
    ]
    review = sum(1 for r in data["rules"] if r["evidence_status"] == "needs-clinical-review")
    covered = sum(1 for r in data["rules"] if exercised and exercised.get(r["id"]))
    return _env().get_template("catalogue.html.j2").render(
        c=data, areas=[(area, area_title(area), rules) for area, rules in areas.items()],
        definitions=definitions, exercised=exercised, review_count=review, covered=covered,
    )


def load_exercised(path: Path) -> dict[str, list[str]]:
    """Read the BDD side file (``reports/bdd-exercised.json``): rule id → scenario names.

    The BDD run (``features/conftest.py``) writes ``{"scenarios": [{"feature_name", "scenario",
    "outcome", "exercised": {"fired": [...], "asserted": [...], ...}}, ...]}``; a scenario
    exercises the rules it fired or asserted, and one that did not pass says so after its name.
    The loader is tolerant, since the run may not have happened or the file may change: a missing
    or unreadable file gives ``{}``, and simpler shapes are accepted too:

    * ``{"<rule id>": ["<scenario>", ...], ...}`` or ``{"rules": {"<rule id>": [...]}}``
    * ``{"scenarios": [{"name": "...", "rules": ["<rule id>", ...]}, ...]}`` or that list alone
    * ``[{"rule": "<rule id>", "scenario": "..."}, ...]`` (also ``rule_id`` / ``scenarios``)
    """
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    result: dict[str, list[str]] = {}

    def add(rule: Any, scenarios: Any) -> None:
        if not isinstance(rule, str) or not rule:
            return
        names = [scenarios] if isinstance(scenarios, str) else scenarios if isinstance(scenarios, list) else []
        bucket = result.setdefault(rule, [])
        for name in names:
            if isinstance(name, dict):  # {"name": ..., "feature": ...}
                name = " — ".join(str(name[k]) for k in ("feature", "name") if name.get(k))
            if isinstance(name, str) and name and name not in bucket:
                bucket.append(name)

    def scenario_label(item: dict[str, Any]) -> str | None:
        name = item.get("scenario") or item.get("name")
        if not isinstance(name, str):
            return None
        feature = item.get("feature_name") or item.get("feature")
        label = f"{feature} — {name}" if isinstance(feature, str) and feature else name
        outcome = item.get("outcome")
        return f"{label} [{outcome}]" if isinstance(outcome, str) and outcome != "passed" else label

    def from_items(items: list[Any]) -> None:
        for item in items:
            if not isinstance(item, dict):
                continue
            exercised = item.get("exercised")
            if isinstance(exercised, dict):  # the BDD run's own record of one scenario
                rules = [r for key in ("fired", "asserted") for r in exercised.get(key) or () if isinstance(r, str)]
                for rule in dict.fromkeys(rules):
                    add(rule, scenario_label(item))
            elif isinstance(item.get("rules"), list):  # one scenario with the rules it fired
                for rule in item["rules"]:
                    add(rule, scenario_label(item))
            else:
                add(item.get("rule") or item.get("rule_id") or item.get("id"),
                    item.get("scenario") or item.get("name") or item.get("scenarios"))

    if isinstance(raw, list):
        from_items(raw)
    elif isinstance(raw, dict):
        if isinstance(raw.get("rules"), dict):
            for rule, scenarios in raw["rules"].items():
                add(rule, scenarios)
        elif isinstance(raw.get("rules"), list):
            from_items(raw["rules"])
        elif isinstance(raw.get("scenarios"), list):
            from_items(raw["scenarios"])
        else:
            for rule, scenarios in raw.items():
                add(rule, scenarios)
    return {rule: sorted(names) for rule, names in result.items() if names}


# --- the service's index page -------------------------------------------------------------------

_HEALTHY = frozenset({"ok", "up", "healthy", "pass", "ready", "available", "true"})


def render_index(*, version: str, ruleset: Ruleset, health: dict[str, str], links: dict[str, str]) -> str:
    """The service's landing page: name, version, ruleset, a health table and links."""
    rows = [(name, status, str(status).strip().lower() in _HEALTHY) for name, status in health.items()]
    return _env().get_template("index.html.j2").render(
        version=version, ruleset=ruleset, manifest=ruleset.manifest, health=rows, links=list(links.items()),
        all_ok=all(ok for _, _, ok in rows),
    )


# --- files for the CLI --------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = frozenset({"index", "con", "prn", "aux", "nul"})


def safe_filename(patient_id: str) -> str:
    """A file name stem from a patient id: letters, digits, '.', '_' and '-' only, never hidden."""
    stem = _UNSAFE.sub("_", patient_id).strip("._-")[:100] or "patient"
    return f"patient-{stem}" if stem.lower() in _RESERVED else stem


@dataclass(frozen=True)
class _RecommendationLabel:
    code: str
    priority: str


@dataclass(frozen=True)
class _IndexEvaluation:
    """What the index page shows of an evaluation (the page keeps the rest): a few hundred bytes,
    so that an index over any number of patients is cheap to hold."""

    patient: PatientSummary
    evaluated_at: str
    recommendations: tuple[_RecommendationLabel, ...]
    ruleset: tuple[str, str]


@dataclass(frozen=True)
class IndexRow:
    evaluation: _IndexEvaluation
    urgent: bool
    worst: str
    lesions: int
    gaps: int


@dataclass(frozen=True)
class _IndexEntry:
    evaluation: _IndexEvaluation
    file: str
    urgent: bool
    worst: str
    lesions: int
    gaps: int


def render_page(evaluation: Evaluation) -> tuple[str, IndexRow]:
    """One patient's report page and its row in the index (the part that can run in a worker)."""
    report = build_report(evaluation)
    html = _env().get_template("report.html.j2").render(r=report, m=report.skeleton)
    levels = [v.urgency.level for v in report.lesions] or ["other"]
    summary = _IndexEvaluation(
        patient=evaluation.patient, evaluated_at=evaluation.evaluated_at,
        recommendations=tuple(_RecommendationLabel(r.code, "avoid" if is_avoid(r) else r.priority)
                              for r in evaluation.recommendations),
        ruleset=(evaluation.ruleset.version, evaluation.ruleset.sha256))
    return html, IndexRow(summary, bool(report.urgent), min(levels, key=URGENCY_ORDER.index),
                          len(evaluation.lesions), len(evaluation.data_gaps))


class PageWriter:
    """Writes report pages as they come (file names from the patient ids, kept apart when two
    sanitise alike) and, at the end, an ``index.html`` linking them."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = Path(output_dir)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self._entries: list[_IndexEntry] = []
        self._used: set[str] = {"index"}

    def add(self, html: str, row: IndexRow) -> Path:
        stem = safe_filename(row.evaluation.patient.id)
        candidate, n = stem, 2
        while candidate.lower() in self._used:  # two patients whose ids sanitise alike keep separate files
            candidate, n = f"{stem}-{n}", n + 1
        self._used.add(candidate.lower())
        path = self.output_dir / f"{candidate}.html"
        path.write_text(html, encoding="utf-8")
        self._entries.append(_IndexEntry(row.evaluation, path.name, row.urgent, row.worst, row.lesions, row.gaps))
        return path

    def finish(self) -> Path:
        index = self.output_dir / "index.html"
        versions = {e.evaluation.ruleset for e in self._entries}
        ruleset = None
        if len(versions) == 1:
            version, sha = versions.pop()
            ruleset = {"version": version, "sha256": sha}
        index.write_text(_env().get_template("patients.html.j2").render(entries=self._entries, ruleset=ruleset),
                         encoding="utf-8")
        return index


def write_pages(evaluations: Iterable[Evaluation], output_dir: Path) -> list[Path]:
    """One report per patient (file name from the patient id) plus an ``index.html`` linking them."""
    writer = PageWriter(output_dir)
    written = [writer.add(*render_page(evaluation)) for evaluation in evaluations]
    written.append(writer.finish())
    return written
