"""Build the clinician review report (HTML and Markdown) from a BDD run.

Inputs:

* the cucumber JSON that pytest-bdd writes (``--cucumberjson=reports/cucumber.json``): every
  feature with its description and every scenario that ran, with the result of each step;
* the side file ``bdd-exercised.json`` the BDD suite writes next to it (``features/conftest.py``):
  per scenario its outcome, tags, the rules and caveats behind its recommendations ("fired"), those
  its Then steps checked ("asserted") and the eligibility criteria it asserted. Scenarios skipped
  before they ran (known issues) are only in this file;
* the ruleset itself (:func:`cds.rules_engine.loader.default_ruleset`), for the catalogue.

Output: ``review.html`` (self-contained: inline CSS, no scripts, fonts or remote assets; prints
well) and ``review.md``, with a summary, each feature's intent and sources, every scenario with its
result, tags and the rules it exercised (citations linked, review status), the rule catalogue
(rules no scenario exercises listed) and an empty sign-off table per feature.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cds.rules_engine.catalogue import catalogue_json
from cds.rules_engine.loader import Ruleset, default_ruleset

TEMPLATES = Path(__file__).parent / "templates"
EXERCISED_FILE = "bdd-exercised.json"
REVIEW_TAG = "needs-clinical-review"
KNOWN_ISSUE_TAG = "known-issue"
SIGN_OFF_ROWS = 3
STATUSES = ("passed", "failed", "skipped")
STATUS_TEXT = {"passed": "✔ Passed", "failed": "✘ Failed", "skipped": "⊘ Skipped"}
EVIDENCE_TEXT = {"reviewed": "✔ reviewed", "needs-clinical-review": "⚠ needs clinical review"}
VERIFICATION_TEXT = {"verified": "✔ verified", "partial": "◐ partly verified", "unverified": "○ not re-checked"}


class ReviewReportError(ValueError):
    """The inputs cannot make a report; the message says which file and why."""


# ---- the model the templates render ------------------------------------------------------------


@dataclass(frozen=True)
class CitationRef:
    key: str
    label: str
    url: str | None
    verification: str | None


@dataclass(frozen=True)
class RuleRef:
    """A rule, caveat or eligibility criterion as a scenario exercised it."""

    id: str
    kind: str  # rule | caveat | criterion
    title: str
    evidence_status: str
    citations: tuple[CitationRef, ...]
    asserted: bool = False

    @property
    def needs_review(self) -> bool:
        return self.evidence_status == "needs-clinical-review"


@dataclass
class Scenario:
    name: str
    test_id: str
    line: int
    status: str
    tags: tuple[str, ...]
    rules: list[RuleRef] = field(default_factory=list)
    reason: str | None = None
    """Why it was skipped, or the first failing step and its error."""
    recorded: bool = True
    """Whether the side file has this scenario (False: it comes from another run, or none was written)."""

    @property
    def checked(self) -> list[RuleRef]:
        """Rules, caveats and criteria a Then step checked."""
        return [r for r in self.rules if r.asserted or r.kind == "criterion"]

    @property
    def also_fired(self) -> list[RuleRef]:
        """Rules and caveats that fired for the scenario's patient without being checked."""
        return [r for r in self.rules if not (r.asserted or r.kind == "criterion")]

    @property
    def needs_review(self) -> bool:
        """Tagged, or checks a rule, caveat or criterion that awaits clinical review."""
        return REVIEW_TAG in self.tags or any(r.needs_review and (r.asserted or r.kind == "criterion")
                                              for r in self.rules)


@dataclass
class Feature:
    name: str
    uri: str
    intent: str
    sources: list[CitationRef]
    tags: tuple[str, ...]
    scenarios: list[Scenario] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "feature-" + re.sub(r"[^a-z0-9]+", "-", Path(self.uri).stem.lower()).strip("-")

    def count(self, status: str) -> int:
        return sum(1 for s in self.scenarios if s.status == status)

    @property
    def review_count(self) -> int:
        return sum(1 for s in self.scenarios if s.needs_review)


@dataclass
class Report:
    ruleset: dict[str, str]
    generated_at: str
    run_at: str | None
    run_ruleset: dict[str, str] | None
    features: list[Feature]
    catalogue: dict[str, Any]
    rule_usage: dict[str, int]
    """Rule or caveat id → number of scenarios that exercised it."""
    criterion_usage: dict[str, int]
    """'<assessment>/<criterion>' → number of scenarios that asserted it."""
    exercised_recorded: bool
    sign_off_rows: int = SIGN_OFF_ROWS

    @property
    def scenarios(self) -> list[Scenario]:
        return [s for f in self.features for s in f.scenarios]

    def count(self, status: str) -> int:
        return sum(1 for s in self.scenarios if s.status == status)

    @property
    def unrecorded(self) -> int:
        """Scenarios of the cucumber JSON missing from the side file (the two come from different runs)."""
        return sum(1 for s in self.scenarios if not s.recorded) if self.exercised_recorded else 0

    @property
    def ruleset_mismatch(self) -> bool:
        return bool(self.run_ruleset and self.run_ruleset.get("sha256") != self.ruleset["sha256"])

    @property
    def unexercised_rules(self) -> list[dict[str, Any]]:
        return [r for r in self.catalogue["rules"] if not self.rule_usage.get(r["id"])]

    @property
    def unexercised_caveats(self) -> list[dict[str, Any]]:
        return [c for c in self.catalogue["caveats"] if not self.rule_usage.get(c["id"])]

    @property
    def unasserted_criteria(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return [(a, c) for a in self.catalogue["assessments"] for c in a["criteria"]
                if not self.criterion_usage.get(f"{a['name']}/{c['id']}")]

    @property
    def review_items(self) -> list[tuple[str, str, str]]:
        """(kind, id, title) of everything marked needs-clinical-review in the ruleset."""
        items = [("rule", r["id"], r["title"]) for r in self.catalogue["rules"] if r["evidence_status"] == REVIEW_TAG]
        items += [("criterion", f"{a['name']}/{c['id']}", c["title"]) for a in self.catalogue["assessments"]
                  for c in a["criteria"] if c["evidence_status"] == REVIEW_TAG]
        items += [("caveat", c["id"], c["title"]) for c in self.catalogue["caveats"]
                  if c["evidence_status"] == REVIEW_TAG]
        return items

    @property
    def unverified_citations(self) -> list[tuple[str, dict[str, Any]]]:
        return [(key, entry) for key, entry in self.catalogue["citations"].items()
                if entry["verification"] in ("partial", "unverified")]

    @property
    def known_issues(self) -> list[tuple[Feature, Scenario]]:
        return [(f, s) for f in self.features for s in f.scenarios if KNOWN_ISSUE_TAG in s.tags]


# ---- reading the inputs --------------------------------------------------------------------------


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReviewReportError(f"{path}: no {what} here (run the BDD suite with "
                                "--cucumberjson=reports/cucumber.json first)") from None
    except (OSError, ValueError) as exc:
        raise ReviewReportError(f"{path}: cannot read the {what}: {exc}") from None


def _cucumber_features(data: Any, path: Path) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not all(isinstance(f, dict) and "elements" in f for f in data):
        raise ReviewReportError(f"{path}: not a cucumber JSON report (expected a list of features with elements)")
    return data


def _element_status(element: dict[str, Any]) -> tuple[str, str | None]:
    steps = element.get("steps") or []
    for step in steps:
        result = step.get("result") or {}
        if result.get("status") == "failed":
            message = (result.get("error_message") or "").strip()
            return "failed", f"{step.get('keyword', '')} {step.get('name', '')}".strip() + (
                f": {_last_error_line(message)}" if message else "")
    if any((s.get("result") or {}).get("status") == "skipped" for s in steps):
        return "skipped", None
    return "passed", None


def _last_error_line(message: str) -> str:
    """The assertion text of a pytest traceback ('E   AssertionError: …'), else its last line."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    errors = [line.removeprefix("E").strip() for line in lines if line.startswith("E ")]
    text = " ".join(errors) if errors else (lines[-1] if lines else "")
    return text[:600]


def _split_description(description: str) -> tuple[str, list[str]]:
    """The feature's clinical intent and its source keys (the 'Sources:' line)."""
    intent, sources = [], []
    for line in (description or "").splitlines():
        text = line.strip()
        if text.lower().startswith("sources:"):
            sources += [k.strip() for k in text.split(":", 1)[1].split(",") if k.strip()]
        elif text:
            intent.append(text)
    text = re.sub(r"^clinical intent:\s*", "", " ".join(intent), flags=re.IGNORECASE)
    return text[:1].upper() + text[1:], sources


class _Catalogue:
    """Rule, caveat and criterion lookups over catalogue_json()."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.rules = {r["id"]: r for r in data["rules"]}
        self.caveats = {c["id"]: c for c in data["caveats"]}
        self.criteria = {f"{a['name']}/{c['id']}": (a, c) for a in data["assessments"] for c in a["criteria"]}

    def citation(self, key: str) -> CitationRef:
        entry = self.data["citations"].get(key)
        if entry is None:
            return CitationRef(key, key, None, None)
        return CitationRef(key, entry["label"], entry["url"], entry["verification"])

    @staticmethod
    def _refs(items: Iterable[dict[str, Any]]) -> tuple[CitationRef, ...]:
        return tuple(CitationRef(c["key"], c["label"], c["url"], c["verification"]) for c in items)

    def rule_ref(self, rule_id: str, asserted: bool) -> RuleRef:
        if rule_id in self.rules:
            rule = self.rules[rule_id]
            return RuleRef(rule_id, "rule", rule["title"], rule["evidence_status"], self._refs(rule["citations"]),
                           asserted)
        if rule_id in self.caveats:
            caveat = self.caveats[rule_id]
            return RuleRef(rule_id, "caveat", caveat["title"], caveat["evidence_status"],
                           self._refs(caveat["citations"]), asserted)
        return RuleRef(rule_id, "rule", "(not in the current ruleset)", "unknown", (), asserted)

    def criterion_ref(self, key: str) -> RuleRef:
        if key not in self.criteria:
            return RuleRef(key, "criterion", "(not in the current ruleset)", "unknown", (), True)
        assessment, criterion = self.criteria[key]
        citations = criterion["citations"] or assessment["citations"]
        return RuleRef(key, "criterion", criterion["title"], criterion["evidence_status"] or "reviewed",
                       self._refs(citations), True)


def _side_records(data: Any) -> dict[tuple[str, str], dict[str, Any]]:
    scenarios = data.get("scenarios") if isinstance(data, dict) else None
    if not isinstance(scenarios, list):
        return {}
    return {(str(s.get("feature")), str(s.get("name"))): s for s in scenarios if isinstance(s, dict)}


def _rules_of(record: dict[str, Any] | None, catalogue: _Catalogue) -> list[RuleRef]:
    exercised = (record or {}).get("exercised") or {}
    asserted = set(exercised.get("asserted") or ())
    rule_ids = list(dict.fromkeys([*(exercised.get("fired") or ()), *asserted]))
    refs = [catalogue.rule_ref(rule_id, rule_id in asserted) for rule_id in rule_ids]
    refs += [catalogue.criterion_ref(key) for key in exercised.get("criteria") or ()]
    return refs


def _scenario(element: dict[str, Any], record: dict[str, Any] | None, catalogue: _Catalogue,
              feature_tags: Iterable[str] = ()) -> Scenario:
    status, reason = _element_status(element)
    tags = [t["name"] for t in element.get("tags") or ()] + list(feature_tags)
    if record is not None:
        tags += record.get("tags") or []
        if record.get("outcome") in STATUSES and record["outcome"] != "passed":
            status = record["outcome"]
            reason = reason or record.get("skip_reason") or _last_error_line(record.get("error") or "") or None
    return Scenario(name=element.get("name") or element.get("id") or "?", test_id=element.get("id") or "",
                    line=int(element.get("line") or 0), status=status, tags=tuple(dict.fromkeys(tags)),
                    rules=_rules_of(record, catalogue), reason=reason, recorded=record is not None)


def _recorded_scenario(record: dict[str, Any], catalogue: _Catalogue) -> Scenario:
    """A scenario known only from the side file: skipped before it ran, or a run whose cucumber JSON
    lacks it (pytest-bdd writes no cucumber elements under pytest-xdist)."""
    return Scenario(name=record.get("scenario") or record.get("name") or "?", test_id=record.get("name") or "",
                    line=int(record.get("line") or 0), status=record.get("outcome") or "skipped",
                    tags=tuple(record.get("tags") or ()), rules=_rules_of(record, catalogue),
                    reason=record.get("skip_reason") or _last_error_line(record.get("error") or "") or None)


def load_report(cucumber_json: Path, exercised_json: Path | None = None, ruleset: Ruleset | None = None) -> Report:
    """Read the BDD run and the ruleset into the report model."""
    features_raw = _cucumber_features(_read_json(cucumber_json, "cucumber JSON report"), cucumber_json)
    side_path = exercised_json or cucumber_json.parent / EXERCISED_FILE
    side = _read_json(side_path, "record of exercised rules") if side_path.exists() else None
    records = _side_records(side)
    ruleset = ruleset or default_ruleset()
    catalogue = _Catalogue(catalogue_json(ruleset))

    features: dict[str, Feature] = {}
    for raw in features_raw:
        intent, sources = _split_description(raw.get("description") or "")
        uri = raw.get("uri") or raw.get("id") or raw.get("name") or "?"
        feature = features.setdefault(uri, Feature(
            name=raw.get("name") or uri, uri=uri, intent=intent, sources=[catalogue.citation(k) for k in sources],
            tags=tuple(t["name"] for t in raw.get("tags") or ())))
        for element in raw.get("elements") or ():
            if element.get("type", "scenario") != "scenario":
                continue
            record = records.pop((uri, str(element.get("id"))), None)
            feature.scenarios.append(_scenario(element, record, catalogue, feature.tags))
    for (uri, _), record in sorted(records.items(), key=lambda kv: (kv[0][0], kv[1].get("line") or 0)):
        if uri not in features:  # the cucumber JSON has no scenario of this feature
            intent, sources = _split_description(record.get("feature_description") or "")
            features[uri] = Feature(name=record.get("feature_name") or uri, uri=uri, intent=intent,
                                    sources=[catalogue.citation(k) for k in sources], tags=())
        features[uri].scenarios.append(_recorded_scenario(record, catalogue))
    for feature in features.values():
        feature.scenarios.sort(key=lambda s: (s.line, s.test_id))

    rule_usage: dict[str, int] = {}
    criterion_usage: dict[str, int] = {}
    for scenario in (s for f in features.values() for s in f.scenarios):
        for ref in scenario.rules:
            usage = criterion_usage if ref.kind == "criterion" else rule_usage
            usage[ref.id] = usage.get(ref.id, 0) + 1
    return Report(
        ruleset={"name": ruleset.manifest.name, "version": ruleset.version, "sha256": ruleset.sha256},
        generated_at=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        run_at=side.get("generated_at") if isinstance(side, dict) else None,
        run_ruleset=side.get("ruleset") if isinstance(side, dict) else None,
        features=sorted(features.values(), key=lambda f: f.uri),
        catalogue=catalogue.data, rule_usage=rule_usage, criterion_usage=criterion_usage,
        exercised_recorded=side is not None,
    )


# ---- rendering -----------------------------------------------------------------------------------


def md_cell(value: object) -> str:
    """Text safe inside a Markdown table cell: no pipes or line breaks."""
    return " ".join(str(value).replace("|", "\\|").split())


def md_link(label: str, url: str | None) -> str:
    label = label.replace("[", "(").replace("]", ")")
    return f"[{label}]({url})" if url else label


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_cell
    env.filters["md_link"] = md_link
    env.globals.update(STATUS_TEXT=STATUS_TEXT, EVIDENCE_TEXT=EVIDENCE_TEXT, VERIFICATION_TEXT=VERIFICATION_TEXT,
                       REVIEW_TAG=REVIEW_TAG, STATUSES=STATUSES)
    return env


def render(report: Report, template: str) -> str:
    return _env().get_template(template).render(r=report)


def build_review_report(cucumber_json: Path, output_dir: Path, *, exercised_json: Path | None = None,
                        ruleset: Ruleset | None = None) -> list[Path]:
    """Write ``review.html`` and ``review.md`` into ``output_dir``; return their paths.

    ``exercised_json`` defaults to ``bdd-exercised.json`` next to the cucumber JSON; without it the
    report still lists every scenario but says that the rules per scenario were not recorded.
    """
    report = load_report(Path(cucumber_json), Path(exercised_json) if exercised_json else None, ruleset)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, template in (("review.html", "review.html.j2"), ("review.md", "review.md.j2")):
        path = output_dir / name
        path.write_text(render(report, template), encoding="utf-8")
        paths.append(path)
    return paths
