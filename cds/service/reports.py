"""The full evaluation report behind each card's link: stable URL ``/reports/{evaluation_id}``,
opened either with the caller's JWT or with a signed, expiring link (HMAC-SHA256 of the id and
the expiry; the key comes from settings or is generated once and kept in the database)."""

from __future__ import annotations

import hashlib
import hmac
import html
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from cds.output import Evaluation


class LinkSigner:
    def __init__(self, secret: str, lifetime_seconds: int) -> None:
        self.key = secret.encode()
        self.lifetime = lifetime_seconds

    def _signature(self, evaluation_id: str, expires: int) -> str:
        return hmac.new(self.key, f"{evaluation_id}.{expires}".encode(), hashlib.sha256).hexdigest()

    def url(self, base_url: str, evaluation_id: str, now: float | None = None) -> str:
        expires = int((now or time.time()) + self.lifetime)
        query = urlencode({"expires": expires, "signature": self._signature(evaluation_id, expires)})
        return f"{base_url.rstrip('/')}/reports/{evaluation_id}?{query}"

    def valid(self, evaluation_id: str, expires: str | None, signature: str | None) -> bool:
        if not expires or not signature or not expires.isdigit():
            return False
        if int(expires) < time.time():
            return False
        return hmac.compare_digest(self._signature(evaluation_id, int(expires)), signature)


def render_report(body: dict[str, Any]) -> str:
    """The report page: ``cds.views.html.render_report`` when it exists, else a minimal page."""
    evaluation = Evaluation.model_validate(body)
    try:
        from cds.views.html import render_report as render  # type: ignore[attr-defined]
    except ImportError:
        return minimal_report(evaluation)
    return str(render(evaluation))


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{_e(title)}</title>"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
            "td,th{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}"
            "table{border-collapse:collapse}</style></head>"
            f"<body>{body}</body></html>")


def minimal_report(evaluation: Evaluation) -> str:
    """Everything escaped: the data come from the EHR and the rules, never trusted as HTML."""
    parts = [f"<h1>Bone metastases: evaluation of patient {_e(evaluation.patient.id)}</h1>",
             f"<p>Ruleset {_e(evaluation.ruleset.version)} ({_e(evaluation.ruleset.sha256[:12])}), evaluated "
             f"{_e(evaluation.evaluated_at)}</p>"]
    for lesion in evaluation.lesions:
        parts.append(f"<h2>{_e(lesion.site)} <small>({_e(lesion.region)})</small></h2>")
        recs = evaluation.recommendations_for(lesion.id)
        if recs:
            parts.append("<ol>")
            for rec in recs:
                regimens = ", ".join(f"{r.dose_gy:g} Gy/{r.fractions} (BED10 {r.bed10:g})" for r in rec.regimens)
                cites = "; ".join(f"<a href=\"{_e(c.url)}\">{_e(c.label)}</a>" if c.url else _e(c.label)
                                  for c in rec.citations)
                label = "AVOID (do not use)" if rec.code == "avoid" else rec.priority
                parts.append(f"<li><strong>{_e(rec.summary)}</strong> — {_e(label)} <code>{_e(rec.code)}"
                             f"</code><br>{_e(rec.rationale)}<br>{_e(regimens)}<br>{cites}</li>")
            parts.append("</ol>")
        else:
            parts.append("<p>No radiotherapy or surgery recommended now.</p>")
        parts.append("<table><tr><th>assessment</th><th>verdict</th><th>criteria</th></tr>")
        for name, verdict in lesion.eligibility.items():
            criteria = "<br>".join(f"{_e(c.status)}: {_e(c.title or c.id)} — {_e(c.detail)}" for c in verdict.criteria)
            parts.append(f"<tr><td>{_e(verdict.title or name)}</td><td>{_e(verdict.status)}</td>"
                         f"<td>{criteria}</td></tr>")
        parts.append("</table>")
    if evaluation.data_gaps:
        parts.append("<h2>Data gaps</h2><ul>")
        parts += [f"<li>{_e(g.message)} (needed for {_e(', '.join(g.needed_for))})</li>" for g in evaluation.data_gaps]
        parts.append("</ul>")
    if evaluation.warnings:
        parts.append("<h2>Warnings</h2><ul>")
        parts += [f"<li>{_e(w.resource or '')} {_e(w.message)}</li>" for w in evaluation.warnings]
        parts.append("</ul>")
    return _page(f"Evaluation {evaluation.patient.id}", "".join(parts))


def render_catalogue_page(exercised_file: Path | None = None) -> str:
    """The rule catalogue, with the BDD scenarios that exercise each rule when a run is on disk."""
    from cds.rules_engine.loader import default_ruleset
    from cds.views.html import load_exercised, render_catalogue

    exercised = load_exercised(exercised_file) if exercised_file else {}
    return str(render_catalogue(default_ruleset(), exercised or None))


def page(title: str, body_html: str) -> str:
    return _page(title, body_html)


def escape(value: Any) -> str:
    return _e(value)
