"""The rule catalogue in plain language: text for the terminal, Markdown and JSON for reports."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from cds.rules_engine import conditions as cond
from cds.rules_engine.loader import Ruleset


def catalogue_json(ruleset: Ruleset) -> dict[str, Any]:
    def cites(keys: tuple[str, ...]) -> list[dict[str, Any]]:
        return [{"key": k, "label": ruleset.citations[k].label, "url": ruleset.citations[k].link(),
                 "verification": ruleset.citations[k].verification} for k in keys]

    return {
        "name": ruleset.manifest.name,
        "version": ruleset.version,
        "sha256": ruleset.sha256,
        "rules": [{
            "id": r.id, "area": r.area, "file": r.file, "title": r.spec.title, "version": r.spec.version,
            "description": r.spec.description.strip(), "evidence_status": r.spec.evidence_status,
            "phase": r.spec.phase, "code": r.spec.recommend.code, "reason": r.spec.recommend.reason,
            "priority": r.spec.recommend.priority, "condition": cond.render(r.condition),
            "citations": cites(r.spec.citations),
        } for r in ruleset.rules],
        "assessments": [{
            "name": a.name, "title": a.spec.title, "file": a.file, "description": a.spec.description.strip(),
            "citations": cites(a.spec.citations),
            "criteria": [{"id": c.spec.id, "kind": c.spec.kind, "title": c.spec.title,
                          "evidence_status": c.spec.evidence_status, "condition": cond.render(c.condition),
                          "citations": cites(c.spec.citations), "note": c.spec.note} for c in a.criteria],
        } for a in ruleset.assessments],
        "caveats": [{"id": c.id, "title": c.spec.title, "applies_to": list(c.spec.applies_to),
                     "evidence_status": c.spec.evidence_status, "condition": cond.render(c.condition),
                     "citations": cites(c.spec.citations)} for c in ruleset.caveats],
        "citations": {k: {"label": v.label, "reference": v.reference, "url": v.link(),
                          "verification": v.verification} for k, v in ruleset.citations.items()},
        "changes": _changes(ruleset, cites),
    }


def _changes(ruleset: Ruleset, cites: Any) -> dict[str, Any] | None:
    """What changed in this ruleset version (rules/changes.yaml), each id with its title."""
    if ruleset.changes is None:
        return None
    titles: dict[str, str] = {r.id: r.spec.title for r in ruleset.rules}
    titles |= {c.id: c.spec.title for c in ruleset.caveats}
    titles |= {f"eligibility/{a.name}": a.spec.title for a in ruleset.assessments}
    titles |= {f"criteria/{c.spec.id}": c.spec.title for a in ruleset.assessments for c in a.criteria}
    titles |= {f"definitions/{k}": " ".join(v.description.split()) for k, v in ruleset.definition_specs.items()}
    return {
        "version": ruleset.changes.version, "title": ruleset.changes.title,
        "changes": [{"change": " ".join(c.change.split()),
                     "ids": [{"id": i, "title": titles.get(i, "")} for i in c.ids],
                     "sources": cites(c.sources)} for c in ruleset.changes.changes],
    }


def catalogue_markdown(ruleset: Ruleset) -> str:
    data = catalogue_json(ruleset)
    lines = [f"# Rule catalogue — {data['name']} {data['version']}", "",
             f"sha256 `{data['sha256']}`", ""]
    for area in dict.fromkeys(r["area"] for r in data["rules"]):
        lines += [f"## {area}", ""]
        for r in (r for r in data["rules"] if r["area"] == area):
            review = " — *needs clinical review*" if r["evidence_status"] == "needs-clinical-review" else ""
            lines += [f"### `{r['id']}` — {r['title']}{review}", "", r["description"], "",
                      f"Recommends **{r['code']}** ({r['reason']}, {r['priority']}) when:", "", "```",
                      r["condition"], "```", "",
                      "Sources: " + ", ".join(f"[{c['label']}]({c['url']})" if c["url"] else c["label"]
                                              for c in r["citations"]), ""]
    for a in data["assessments"]:
        lines += [f"## Eligibility: {a['title']}", "", a["description"], ""]
        for c in a["criteria"]:
            review = " *(needs clinical review)*" if c["evidence_status"] == "needs-clinical-review" else ""
            lines.append(f"- **{c['id']}** ({c['kind']}): {c['title']}{review}")
        lines.append("")
    if data["caveats"]:
        lines += ["## Caveats", ""]
        lines += [f"- **{c['id']}** — {c['title']} (applies to {', '.join(c['applies_to'])})" for c in data["caveats"]]
        lines.append("")
    return "\n".join(lines)


def catalogue_text(ruleset: Ruleset, console: Console) -> None:
    table = Table(title=f"{ruleset.manifest.name} {ruleset.version} ({ruleset.sha256[:12]})", title_justify="left")
    for column in ("rule", "recommends", "sources", "review"):
        table.add_column(column)
    for rule in ruleset.rules:
        rec = rule.spec.recommend
        table.add_row(f"{rule.id}\n[dim]{rule.spec.title}[/dim]", f"{rec.code} ({rec.reason}, {rec.priority})",
                      ", ".join(rule.spec.citations),
                      "[yellow]needs review[/yellow]" if rule.spec.evidence_status == "needs-clinical-review" else "✔")
    console.print(table)
    for assessment in ruleset.assessments:
        console.print(f"[bold]{assessment.spec.title}[/bold]: " + ", ".join(c.spec.id for c in assessment.criteria))
    for caveat in ruleset.caveats:
        console.print(f"[bold]caveat[/bold] {caveat.id}: {caveat.spec.title}")


def fact_catalogue_json(ruleset: Ruleset) -> dict[str, Any]:
    """The fact catalogue (facts.yaml): where each fact is recorded, how long it stays current, and
    which silences may be read as absence — for which decisions, and why."""
    def labels(keys: tuple[str, ...]) -> list[str]:
        return [ruleset.citations[k].label for k in keys]

    facts = {}
    for key, entry in ruleset.facts.items():
        item: dict[str, Any] = {"label": entry.label, "recorded_in": list(entry.recorded_in)}
        if entry.current_for is not None:
            item["current_for"] = {"days": entry.current_for.days, "reason": " ".join(entry.current_for.reason.split()),
                                   "sources": labels(entry.current_for.sources),
                                   "evidence_status": entry.current_for.evidence_status}
        silence = entry.silence
        if silence is not None:
            item["silence"] = {
                "reads_as": dict(silence.reads_as), "for": list(silence.for_), "stage": silence.stage,
                "only_if": cond.render(cond.parse(silence.only_if)) if silence.only_if is not None else None,
                "confirm": silence.confirm, "reason": " ".join(silence.reason.split()),
                "sources": labels(silence.sources), "evidence_status": silence.evidence_status,
            }
        else:
            item["silence"] = None
        facts[key] = item
    return {"name": ruleset.manifest.name, "version": ruleset.version, "facts": facts}


def fact_catalogue_text(ruleset: Ruleset, console: Console) -> None:
    data = fact_catalogue_json(ruleset)
    table = Table(title=f"Fact catalogue — {data['name']} {data['version']} (rules/facts.yaml)",
                  title_justify="left", show_lines=True)
    for column in ("fact", "recorded in", "current for", "a silence (not recorded) is read as"):
        table.add_column(column, overflow="fold")
    for key, item in data["facts"].items():
        current = item.get("current_for")
        silence = item["silence"]
        if silence is None:
            reading = "[dim]never read: stays unknown[/dim]"
        else:
            values = ", ".join(f"{k} = {str(v).lower()}" for k, v in silence["reads_as"].items())
            only_if = f"\nonly if {silence['only_if']}" if silence["only_if"] else ""
            reading = (f"{values}\nfor {', '.join(silence['for'])}{only_if}\n[dim]{silence['reason']}[/dim]\n"
                       f"confirm: {silence['confirm']}")
        table.add_row(f"[bold]{key}[/bold]\n{item['label']}", ", ".join(item["recorded_in"]),
                      f"{current['days']} days\n[dim]{current['reason']}[/dim]" if current else "[dim]no limit[/dim]",
                      reading)
    console.print(table)
