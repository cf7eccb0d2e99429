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
