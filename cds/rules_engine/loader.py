"""Load the rule files, check them, and give readable sentences for every problem.

A rule without a citation, with an unknown fact, with a value of the wrong kind or with a
template that names an unknown fact does not load.
"""

from __future__ import annotations

import hashlib
import os
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, TypeAdapter, ValidationError

from cds.rule_facts import FACT_NAMES, RANGE_FACTS, RuleFacts, gap_key, not_recorded_marker, verdict_fact
from cds.rules_engine import conditions as cond
from cds.rules_engine.schema import (
    AGGRESSIVE_KINDS,
    DECISION_KINDS,
    AssessmentFile,
    CaveatsFile,
    CaveatSpec,
    ChangesFile,
    Citation,
    CitationsFile,
    CriteriaFile,
    CriterionSpec,
    CriterionUse,
    DefinitionsFile,
    FactEntry,
    FactsFile,
    RuleFile,
    RulesetManifest,
    RuleSpec,
    VersionChanges,
)

# libyaml when installed: the same documents, ten times faster to load (start-up of every command)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

TEMPLATE_HELPERS: frozenset[str] = frozenset({
    "site", "histology_text", "survival_text", "ecog_text", "sins_text", "bilsky_text", "mirels_text",
    "prior_rt_text", "neuro_text", "lesion_count_text", "omd_text", "compression_text", "size_text",
    "fracture_text", "imaging_text",
})
"""Ready-made phrases available to rationale templates besides the facts themselves."""


def default_rules_dir() -> Path:
    env = os.environ.get("CDS_RULES_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "rules"


@dataclass(frozen=True)
class Problem:
    file: str
    where: str
    message: str

    def sentence(self) -> str:
        return f"{self.file}: {self.where}: {self.message}" if self.where else f"{self.file}: {self.message}"


class RulesetError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.sentence() for p in problems[:5]))


@dataclass(frozen=True)
class Rule:
    spec: RuleSpec
    condition: cond.Node
    file: str
    area: str
    demote: cond.Node | None = None
    decision: str = "none"

    @property
    def demote_key(self) -> str:
        return f"{self.spec.id}/demote"

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class Caveat:
    spec: CaveatSpec
    condition: cond.Node

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class Criterion:
    assessment: str
    spec: CriterionSpec
    condition: cond.Node
    decision: str = "none"

    @property
    def key(self) -> str:
        return f"{self.assessment}/{self.spec.id}"


@dataclass(frozen=True)
class Assessment:
    spec: AssessmentFile
    criteria: tuple[Criterion, ...]
    file: str

    @property
    def name(self) -> str:
        return self.spec.assessment

    @property
    def fact(self) -> str:
        return verdict_fact(self.spec.assessment)

    @property
    def patient_level(self) -> bool:
        return self.spec.level == "patient"


@dataclass(frozen=True)
class Ruleset:
    manifest: RulesetManifest
    sha256: str
    citations: dict[str, Citation]
    definitions: dict[str, cond.Node]
    definition_specs: dict[str, Any]
    assessments: tuple[Assessment, ...]
    rules: tuple[Rule, ...]
    caveats: tuple[Caveat, ...] = ()
    files: tuple[str, ...] = field(default=())
    facts: dict[str, FactEntry] = field(default_factory=dict)
    """The fact catalogue (facts.yaml): where each fact is recorded, its currency, its silence."""
    changes: VersionChanges | None = None
    """What changed in this version (changes.yaml), shown in the review report."""

    def silence_of(self, rule_fact: str) -> tuple[str, FactEntry] | None:
        """The catalogue entry whose rules-stage silence reading covers this rule fact."""
        for key, entry in self.facts.items():
            if entry.silence and entry.silence.stage == "rules" and rule_fact in entry.silence.reads_as:
                return key, entry
        return None

    def readings(self, decision: str) -> dict[str, Any]:
        """Rule fact → the value its silence is read as, for one kind of decision."""
        return _readings(self.facts, decision)

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def phases(self) -> tuple[int, ...]:
        return tuple(sorted({rule.spec.phase for rule in self.rules}))

    def rules_in_phase(self, phase: int) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.spec.phase == phase)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def assessment(self, name: str) -> Assessment:
        for assessment in self.assessments:
            if assessment.name == name:
                return assessment
        raise KeyError(name)


def _pydantic_sentences(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "is not a known field (check the spelling)"
        elif error["type"] == "missing":
            message = "is required"
        out.append((where, message))
    return out


def _read_yaml(path: Path, root: Path, problems: list[Problem]) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        problems.append(Problem(str(path.relative_to(root)), where, f"is not valid YAML ({exc})"))
    except OSError as exc:
        problems.append(Problem(str(path.relative_to(root)), "", f"cannot be read ({exc.strerror})"))
    return None


def _validate(model: type[BaseModel], data: Any, file: str, problems: list[Problem]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for where, message in _pydantic_sentences(exc):
            problems.append(Problem(file, where, message))
    return None


def _field(name: str) -> str:
    return RANGE_FACTS[name][0] if name in RANGE_FACTS else name


_FACT_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    name: TypeAdapter(RuleFacts.model_fields[_field(name)].annotation) for name in FACT_NAMES
}


def _is_numeric(name: str) -> bool:
    annotation = RuleFacts.model_fields[_field(name)].annotation
    return any(t in (int, float) for t in typing.get_args(annotation))


def check_condition(node: cond.Node, file: str, where: str, problems: list[Problem],
                    definitions: dict[str, cond.Node] | None = None) -> None:
    """Every fact exists, every value is of the fact's kind, every definition is known."""
    for leaf in cond.leaves(node):
        if leaf.fact not in FACT_NAMES:
            problems.append(Problem(file, where, f"'{leaf.fact}' is not a fact the rules can read "
                                                 f"(see cds/rule_facts.py or `cds rules facts`)"))
            continue
        if leaf.op in ("is known", "is unknown"):
            continue
        if leaf.op in ("<", "<=", ">", ">=") and not _is_numeric(leaf.fact):
            problems.append(Problem(file, where, f"'{leaf.text()}' compares '{leaf.fact}', which is not a number"))
            continue
        values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
        for value in values:
            try:
                _FACT_ADAPTERS[leaf.fact].validate_python(value, strict=True)
            except ValidationError:
                if isinstance(value, int | float) and _is_numeric(leaf.fact):
                    continue
                problems.append(Problem(
                    file, where,
                    f"'{leaf.text()}': {value!r} is not a possible value of '{leaf.fact}' "
                    f"(expected {_describe_type(leaf.fact)})"))
    if definitions is not None:
        for name in cond.refs(node):
            if name not in definitions:
                problems.append(Problem(file, where, f"'{name}' is neither a definition nor a condition"))


def _describe_type(name: str) -> str:
    annotation = RuleFacts.model_fields[_field(name)].annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    parts: list[str] = []
    for arg in args:
        if typing.get_origin(arg) is typing.Literal:
            parts.append("one of " + ", ".join(repr(v) for v in typing.get_args(arg)))
        else:
            parts.append(getattr(arg, "__name__", str(arg)))
    return " or ".join(parts)


_TEMPLATES = SandboxedEnvironment(autoescape=False)


def check_template(text: str, file: str, where: str, problems: list[Problem],
                   allowed: frozenset[str] | None = None) -> None:
    try:
        ast = _TEMPLATES.parse(text)
    except TemplateSyntaxError as exc:
        problems.append(Problem(file, where, f"template error: {exc.message}"))
        return
    for name in sorted(meta.find_undeclared_variables(ast)):
        if allowed is not None:
            if name not in allowed:
                problems.append(Problem(file, where, f"template names '{name}'; it may name "
                                                     f"{', '.join(sorted(allowed))}"))
            continue
        if name not in FACT_NAMES and name not in TEMPLATE_HELPERS:
            problems.append(Problem(file, where, f"template names '{name}', which is neither a fact nor a "
                                                 f"phrase ({', '.join(sorted(TEMPLATE_HELPERS))})"))


def _parse_condition(spec: Any, file: str, where: str, problems: list[Problem]) -> cond.Node | None:
    try:
        return cond.parse(spec, where)
    except cond.ConditionError as exc:
        problems.append(Problem(file, "", str(exc)))
        return None


SPECIAL_FILES = ("ruleset.yaml", "citations.yaml", "definitions.yaml", "caveats.yaml", "facts.yaml",
                 "criteria.yaml", "changes.yaml")

CONFIRM_NAMES = frozenset({"site", "count", "imaging_date"})
"""What a silence's ``confirm`` sentence may name."""
_STATE_MODELS = ("patient", "neurology", "lesion")
NEVER_READ_FOR_ABLATIVE = frozenset({"cord_compression", "cauda_equina_only", "bilsky_grade", "escc_high_grade",
                                     "sins", "sins_band"})
"""Ablative decisions need a documented compression status and SINS (decision criteria §3b)."""


def decision_of(spec: RuleSpec) -> str:
    """The kind of decision a rule supports, which decides the silences it may read."""
    if spec.decision is not None:
        return spec.decision
    code, reason = spec.recommend.code, spec.recommend.reason
    if reason == "reirradiation":
        return "reirradiation"
    return {"sbrt": "ablative", "sib-imrt": "ablative", "surgical-referral": "surgical",
            "prophylactic-rt": "prophylactic", "avoid": "caution"}.get(code, "palliative")


def _state_field_exists(path: str) -> bool:
    from cds.state import LesionState, Neurology, PatientState

    model, _, name = path.partition(".")
    fields = {"patient": PatientState, "neurology": Neurology, "lesion": LesionState}.get(model)
    return fields is not None and name in fields.model_fields


def check_fact_catalogue(catalogue: FactsFile, problems: list[Problem], cited: Any) -> None:
    """Readings name real facts with possible values, state-stage readings hold for every decision,
    ablative decisions never read compression or SINS from silence, templates name known phrases."""
    from cds.state import PatientState

    file = "facts.yaml"
    readers: dict[str, str] = {}
    for key, entry in catalogue.facts.items():
        where = f"fact '{key}'"
        for path in entry.fields:
            if not _state_field_exists(path):
                problems.append(Problem(file, where, f"field '{path}' is not in the clinical state "
                                                     f"(write {', '.join(m + '.<name>' for m in _STATE_MODELS)})"))
        if entry.current_for:
            cited(entry.current_for.sources, file, where + " current_for")
            if not entry.fields:
                problems.append(Problem(file, where, "has a currency window but no 'fields' to withdraw when stale"))
        silence = entry.silence
        if silence is None:
            continue
        cited(silence.sources, file, where + " silence")
        check_template(silence.confirm, file, where + " confirm", problems, allowed=CONFIRM_NAMES)
        for name, value in silence.reads_as.items():
            if silence.stage == "state":
                if name not in PatientState.model_fields and name not in RANGE_FACTS:
                    problems.append(Problem(file, where, f"reads '{name}', which is not a patient fact of the state"))
                continue
            if name not in FACT_NAMES or name in RANGE_FACTS:
                problems.append(Problem(file, where, f"reads '{name}', which is not a single fact the rules read"))
                continue
            if gap_key(name) != key:
                problems.append(Problem(file, where, f"reads '{name}', which is documented as '{gap_key(name)}'"))
            try:
                _FACT_ADAPTERS[name].validate_python(value, strict=True)
            except ValidationError:
                problems.append(Problem(file, where, f"reads '{name}' as {value!r}, not a possible value "
                                                     f"(expected {_describe_type(name)})"))
            if name in readers:
                problems.append(Problem(file, where, f"'{name}' is already read by fact '{readers[name]}'"))
            readers[name] = key
            if name in NEVER_READ_FOR_ABLATIVE and AGGRESSIVE_KINDS & set(silence.for_):
                problems.append(Problem(file, where, f"reads '{name}' from silence for "
                                                     f"{', '.join(sorted(AGGRESSIVE_KINDS & set(silence.for_)))}: "
                                                     "ablative RT and re-irradiation need it documented"))
        if silence.stage == "state" and set(silence.for_) != set(DECISION_KINDS):
            problems.append(Problem(file, where, "a state-stage silence feeds facts every decision reads: "
                                                 f"list it for {', '.join(DECISION_KINDS)}"))
        if silence.only_if is not None:
            node = _parse_condition(silence.only_if, file, where + " only_if", problems)
            if node is not None:
                check_condition(node, file, where + " only_if", problems)
                if silence.stage == "state":
                    for fact in cond.facts_read(node):
                        if fact not in PatientState.model_fields:
                            problems.append(Problem(file, where, f"only_if reads '{fact}', which a state-stage "
                                                                 "silence cannot know before deriving"))



def ruleset_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if p.is_file())


def ruleset_hash(root: Path, files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def load_ruleset(root: Path | str | None = None) -> Ruleset:
    """Load and check every rule file; raise RulesetError listing all problems."""
    root = Path(root) if root else default_rules_dir()
    problems: list[Problem] = []
    if not root.is_dir():
        raise RulesetError([Problem(str(root), "", "the rules directory does not exist")])
    files = ruleset_files(root)

    def rel(p: Path) -> str:
        return p.relative_to(root).as_posix()

    manifest = _validate(RulesetManifest, _read_yaml(root / "ruleset.yaml", root, problems), "ruleset.yaml",
                         problems) if (root / "ruleset.yaml").exists() else None
    if manifest is None and not (root / "ruleset.yaml").exists():
        problems.append(Problem("ruleset.yaml", "", "is missing (it names the ruleset and its version)"))
    citations_file = _validate(CitationsFile, _read_yaml(root / "citations.yaml", root, problems),
                               "citations.yaml", problems) if (root / "citations.yaml").exists() else None
    if citations_file is None and not (root / "citations.yaml").exists():
        problems.append(Problem("citations.yaml", "", "is missing (the citation registry)"))
    citations: dict[str, Citation] = dict(citations_file.citations) if citations_file else {}

    catalogue = _validate(FactsFile, _read_yaml(root / "facts.yaml", root, problems), "facts.yaml",
                          problems) if (root / "facts.yaml").exists() else FactsFile(facts={})

    definitions: dict[str, cond.Node] = {}
    definition_specs: dict[str, Any] = {}
    if (root / "definitions.yaml").exists():
        defs = _validate(DefinitionsFile, _read_yaml(root / "definitions.yaml", root, problems),
                         "definitions.yaml", problems)
        if defs:
            for name, spec in defs.definitions.items():
                node = _parse_condition(spec.when, "definitions.yaml", f"definition '{name}'", problems)
                if node is not None:
                    definitions[name] = node
                    definition_specs[name] = spec

    def cited(keys: Iterable[str], file: str, where: str) -> None:
        if citations_file is None:
            return  # the registry itself is broken; that problem is reported once
        for key in keys:
            if key not in citations:
                problems.append(Problem(file, where, f"cites '{key}', which is not in citations.yaml"))

    def expanded(node: cond.Node, file: str, where: str) -> cond.Node | None:
        try:
            result = cond.expand(node, definitions)
        except cond.ConditionError as exc:
            problems.append(Problem(file, where, str(exc)))
            return None
        check_condition(result, file, where, problems)
        return result

    for name, node in definitions.items():
        expanded(node, "definitions.yaml", f"definition '{name}'")
    if catalogue is not None:
        check_fact_catalogue(catalogue, problems, cited)
    facts = dict(catalogue.facts) if catalogue else {}
    readings = {kind: _readings(facts, kind) for kind in (*DECISION_KINDS, "caution")}

    def silences_read(node: cond.Node, decision: str) -> cond.Node:
        return cond.read_silences(node, readings.get(decision, {}), not_recorded_marker)

    shared: dict[str, CriterionSpec] = {}
    if (root / "criteria.yaml").exists():
        shared_file = _validate(CriteriaFile, _read_yaml(root / "criteria.yaml", root, problems), "criteria.yaml",
                                problems)
        for crit in shared_file.criteria if shared_file else ():
            if crit.id in shared:
                problems.append(Problem("criteria.yaml", f"criterion '{crit.id}'", "is defined twice"))
            shared[crit.id] = crit

    assessments: list[Assessment] = []
    for path in files:
        if path.parent.name != "eligibility":
            continue
        spec = _validate(AssessmentFile, _read_yaml(path, root, problems), rel(path), problems)
        if spec is None:
            continue
        cited(spec.citations, rel(path), f"assessment '{spec.assessment}'")
        if verdict_fact(spec.assessment) not in FACT_NAMES:
            problems.append(Problem(rel(path), "assessment",
                                    f"'{spec.assessment}' needs a fact '{verdict_fact(spec.assessment)}' in "
                                    "cds/rule_facts.py so that rules can read its verdict"))
        criteria = []
        seen: set[str] = set()
        for item in spec.criteria:
            if isinstance(item, CriterionUse):
                if item.use not in shared:
                    problems.append(Problem(rel(path), f"criterion use '{item.use}'",
                                            "is not defined in criteria.yaml"))
                    continue
                crit = shared[item.use]
            else:
                crit = item
                if crit.id in shared:
                    problems.append(Problem(rel(path), f"criterion '{crit.id}'", "is defined in criteria.yaml: "
                                                                                  f"write '- use: {crit.id}'"))
            where = f"criterion '{crit.id}'"
            if crit.id in seen:
                problems.append(Problem(rel(path), where, "is defined twice"))
            seen.add(crit.id)
            cited(crit.citations, rel(path), where)
            for text in (crit.detail.met, crit.detail.not_met, crit.detail.unknown or ""):
                check_template(text, rel(path), where, problems)
            node = _parse_condition(crit.requires, rel(path), where, problems)
            node = expanded(node, rel(path), where) if node is not None else None
            if node is not None:
                criteria.append(Criterion(spec.assessment, crit, silences_read(node, spec.decision), spec.decision))
        assessments.append(Assessment(spec, tuple(criteria), rel(path)))

    rules: list[Rule] = []
    seen_rules: dict[str, str] = {}
    for path in files:
        if path.parent != root or path.name in SPECIAL_FILES:
            continue
        spec = _validate(RuleFile, _read_yaml(path, root, problems), rel(path), problems)
        if spec is None:
            continue
        for rule in spec.rules:
            where = f"rule '{rule.id}'"
            if rule.id in seen_rules:
                problems.append(Problem(rel(path), where, f"has the same id as a rule in {seen_rules[rule.id]}"))
            seen_rules[rule.id] = rel(path)
            cited(rule.citations, rel(path), where)
            check_template(rule.recommend.summary, rel(path), where + " summary", problems)
            check_template(rule.recommend.rationale, rel(path), where + " rationale", problems)
            if rule.recommend.timing:
                check_template(rule.recommend.timing, rel(path), where + " timing", problems)
            node = _parse_condition(rule.when, rel(path), where, problems)
            node = expanded(node, rel(path), where) if node is not None else None
            demote = None
            if rule.recommend.demote_when is not None:
                demote = _parse_condition(rule.recommend.demote_when, rel(path), where + " demote_when", problems)
                demote = expanded(demote, rel(path), where + " demote_when") if demote is not None else None
                if rule.recommend.demote_note:
                    check_template(rule.recommend.demote_note, rel(path), where + " demote_note", problems)
            for part in (node, demote):
                early = [f for f in cond.facts_read(part) if f.startswith("recommended_")] if part else []
                if early and rule.phase == 1:
                    problems.append(Problem(rel(path), where, f"reads {', '.join(early)}, which is only known from "
                                                              "phase 2 on: give the rule 'phase: 2' or later"))
            if node is not None:
                kind = decision_of(rule)
                rules.append(Rule(rule, silences_read(node, kind), rel(path), spec.area,
                                  silences_read(demote, kind) if demote is not None else None, kind))

    caveats: list[Caveat] = []
    if (root / "caveats.yaml").exists():
        caveat_file = _validate(CaveatsFile, _read_yaml(root / "caveats.yaml", root, problems), "caveats.yaml",
                                problems)
        for spec in caveat_file.caveats if caveat_file else ():
            where = f"caveat '{spec.id}'"
            if spec.id in seen_rules:
                problems.append(Problem("caveats.yaml", where, f"has the same id as a rule in {seen_rules[spec.id]}"))
            seen_rules[spec.id] = "caveats.yaml"
            cited(spec.citations, "caveats.yaml", where)
            check_template(spec.text, "caveats.yaml", where, problems)
            node = _parse_condition(spec.when, "caveats.yaml", where, problems)
            node = expanded(node, "caveats.yaml", where) if node is not None else None
            if node is not None:
                caveats.append(Caveat(spec, silences_read(node, "caution")))

    changes: VersionChanges | None = None
    if (root / "changes.yaml").exists():
        changes_file = _validate(ChangesFile, _read_yaml(root / "changes.yaml", root, problems), "changes.yaml",
                                 problems)
        known = ({r.id for r in rules} | {c.spec.id for c in caveats} | {f"eligibility/{a.name}" for a in assessments}
                 | {f"criteria/{k}" for k in shared} | {f"definitions/{k}" for k in definitions})
        for entry in changes_file.versions if changes_file else ():
            for i, item in enumerate(entry.changes):
                where = f"version {entry.version}, change {i + 1}"
                cited(item.sources, "changes.yaml", where)
                problems.extend(Problem("changes.yaml", where, f"names '{x}', which is not a rule, caveat, "
                                        "assessment, shared criterion or definition")
                                for x in item.ids if x not in known)
            if manifest is not None and entry.version == manifest.version:
                changes = entry

    if problems:
        raise RulesetError(problems)
    assert manifest is not None
    return Ruleset(
        manifest=manifest,
        sha256=ruleset_hash(root, files),
        citations=citations,
        definitions=definitions,
        definition_specs=definition_specs,
        assessments=tuple(assessments),
        rules=tuple(rules),
        caveats=tuple(caveats),
        files=tuple(rel(p) for p in files),
        facts=facts,
        changes=changes,
    )


def _readings(facts: dict[str, FactEntry], decision: str) -> dict[str, Any]:
    """Rule fact → its silence's value for one kind of decision. A caution ("avoid …") or a caveat
    reads every silence the catalogue declares: reading one can only add a warning, never a treatment."""
    out: dict[str, Any] = {}
    for entry in facts.values():
        silence = entry.silence
        if silence and silence.stage == "rules" and (decision == "caution" or decision in silence.for_):
            out.update(silence.reads_as)
    return out


@cache
def default_ruleset() -> Ruleset:
    return load_ruleset(default_rules_dir())
