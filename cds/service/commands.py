"""``cds serve`` and ``cds feedback report``."""

from __future__ import annotations

import json
import logging
import sys

from cds.service.settings import Settings


def app_factory() -> object:
    """Uvicorn's factory (one call per worker process; settings come from the environment)."""
    from cds.service.app import create_app

    return create_app(Settings())


def serve(host: str | None = None, port: int | None = None, workers: int | None = None) -> None:
    import uvicorn

    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from cds.service.audit import install_redaction

    install_redaction()
    uvicorn.run("cds.service.commands:app_factory", factory=True, host=host or settings.host,
                port=port or settings.port, workers=workers or settings.workers,
                log_level=settings.log_level.lower(), proxy_headers=True, server_header=False)


def feedback_report(format: str = "text") -> None:
    from rich.console import Console
    from rich.table import Table

    from cds.service.db import Database
    from cds.service.feedback import feedback_summary

    if format not in ("text", "json"):
        Console(stderr=True).print(f"--format: '{format}' is not one of text, json")
        raise SystemExit(2)
    db = Database(Settings().database)
    db.create_all()
    rows = feedback_summary(db)
    if format == "json":
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return
    table = Table("rule", "shown", "accepted", "overridden", "accept rate", "top override reasons",
                  title="Feedback per rule")
    for row in rows:
        rate = "—" if row["accept_rate"] is None else f"{row['accept_rate']:.0%}"
        reasons = "; ".join(f"{r['reason']} ({r['count']})" for r in row["override_reasons"])
        table.add_row(row["rule"], str(row["shown"]), str(row["accepted"]), str(row["overridden"]), rate, reasons)
    Console().print(table)
    if not rows:
        print("No cards or feedback recorded yet.")
