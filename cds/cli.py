"""The command line: ``cds evaluate``, ``cds rules check|list|facts`` (and the service commands).

Exit codes (contract): 0 evaluated, whatever the recommendations; 2 an input was unreadable or
not FHIR (one line naming the file and the problem); 1 internal error. Never a traceback unless
``CDS_DEBUG=1``.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cds import __version__

app = typer.Typer(
    name="cds",
    help="Decision support for radiotherapy of bone metastases: FHIR R4 in, cited per-lesion recommendations out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
rules_app = typer.Typer(help="Check and list the declarative rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

err = Console(stderr=True, highlight=False)


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    csv = "csv"
    html = "html"


class Engine(StrEnum):
    durable = "durable"
    python = "python"


def _fail(message: str, code: int) -> typer.Exit:
    err.print(message, markup=False, highlight=False)
    return typer.Exit(code)


def _parse_as_of(value: str | None) -> datetime:
    from cds.pipeline import as_of_datetime

    if value is None:
        return as_of_datetime(None)
    try:
        if len(value) == 10:
            return as_of_datetime(date.fromisoformat(value))
        return as_of_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        raise _fail(f"--as-of: '{value}' is not a date (YYYY-MM-DD) or date-time (ISO 8601)", 2) from None


@app.callback(invoke_without_command=True)
def _main(version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False) -> None:
    if version:
        from cds.rules_engine.loader import default_ruleset

        ruleset = default_ruleset()
        print(f"cds {__version__}; ruleset {ruleset.version} ({ruleset.sha256[:12]})")
        raise typer.Exit(0)


@app.command()
def evaluate(
    paths: Annotated[list[str], typer.Argument(help="FHIR inputs: Bundle JSON or NDJSON files, folders "
                                                    "(searched recursively; a folder of NDJSON files is a "
                                                    "Bulk Data export), or '-' for stdin.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output view.")] = Format.text,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD or ISO "
                                                               "date-time); default now. Makes results "
                                                               "reproducible.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes (default: all cores).")] = None,
    engine: Annotated[Engine, typer.Option("--engine", help="durable (production) or python (the test "
                                                            "oracle).")] = Engine.durable,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", "-o", help="For --format html: the folder "
                                                                               "to write one page per patient "
                                                                               "into.")] = None,
) -> None:
    """Evaluate patients and print per-lesion recommendations, eligibility, citations and data gaps."""
    try:
        _evaluate(paths, format, _parse_as_of(as_of), jobs, engine, output_dir)
    except typer.Exit:
        raise
    except Exception as exc:  # the contract: exit 1, one line, no traceback
        if os.environ.get("CDS_DEBUG"):
            raise
        raise _fail(f"internal error: {type(exc).__name__}: {exc}", 1) from None


def _evaluate(paths: list[str], fmt: Format, as_of: datetime, jobs: int | None, engine: Engine,
              output_dir: Path | None) -> None:
    from cds.output import Evaluation
    from cds.pipeline import Outcome, evaluate_inputs, expand_inputs
    from cds.rules_engine.loader import RulesetError, default_ruleset

    try:
        default_ruleset()
    except RulesetError as exc:
        raise _fail("the rules do not load (run `cds rules check`): " + exc.problems[0].sentence(), 1) from None
    for raw in paths:
        if raw != "-" and not Path(raw).exists():
            raise _fail(f"{raw}: no such file or folder", 2)
    if fmt is Format.html and output_dir is None:
        raise _fail("--format html needs --output-dir (one page per patient is written there)", 2)

    units = expand_inputs(paths)
    evaluations: list[Evaluation] = []
    problems: list[str] = []
    out = Console(highlight=False, soft_wrap=False)
    csv_writer = None
    if fmt is Format.csv:
        from cds.views.csv_rows import CsvWriter

        csv_writer = CsvWriter(sys.stdout)  # type: ignore[arg-type]

    show_progress = len(units) > 3 and err.is_terminal
    progress = Progress(TextColumn("evaluating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, transient=True, disable=not show_progress)
    with progress:
        task = progress.add_task("evaluate", total=len(units))

        def done(_: Outcome) -> None:
            progress.advance(task)

        for outcome in evaluate_inputs(paths, as_of, jobs=jobs, engine=engine.value, on_done=done):
            if outcome.error:
                problems.append(outcome.error)
                continue
            for evaluation in outcome.evaluations:
                if csv_writer is not None:
                    csv_writer.write(evaluation)
                else:
                    evaluations.append(evaluation)

    if fmt is Format.json:
        payload = [e.to_dict() for e in evaluations]
        print(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2, ensure_ascii=False))
    elif fmt is Format.markdown:
        from cds.views.markdown import render_all

        print(render_all(evaluations), end="")
    elif fmt is Format.text:
        from cds.views.text import render_all as render_text

        render_text(evaluations, out)
    elif fmt is Format.html:
        from cds.views.html import write_pages

        assert output_dir is not None
        written = write_pages(evaluations, output_dir)
        for path in written:
            print(path)
    for problem in problems:
        err.print(problem, markup=False, highlight=False)
    if problems:
        raise typer.Exit(2)


@rules_app.command("check")
def rules_check(
    rules_dir: Annotated[Path | None, typer.Option("--rules-dir", help="Rules folder (default: the "
                                                                       "repository's rules/).")] = None,
) -> None:
    """Check every rule file: schema, facts, values, citations, templates, and compile to durable_rules."""
    from cds.rules_engine.checks import check_rules

    problems, summary = check_rules(rules_dir)
    for problem in problems:
        err.print(f"✘ {problem}", markup=False, highlight=False)
    if problems:
        raise _fail(f"{len(problems)} problem(s) in the rules", 1)
    print(summary)


@rules_app.command("list")
def rules_list(
    format: Annotated[str, typer.Option("--format", "-f", help="text, markdown or json")] = "text",
    rules_dir: Annotated[Path | None, typer.Option("--rules-dir")] = None,
) -> None:
    """Print the rule catalogue: every rule, assessment and caveat with its citations and review status."""
    from cds.rules_engine.catalogue import catalogue_json, catalogue_markdown, catalogue_text
    from cds.rules_engine.loader import RulesetError, load_ruleset

    try:
        ruleset = load_ruleset(rules_dir)
    except RulesetError as exc:
        raise _fail("the rules do not load (run `cds rules check`): " + exc.problems[0].sentence(), 1) from None
    if format == "json":
        print(json.dumps(catalogue_json(ruleset), indent=2, ensure_ascii=False))
    elif format == "markdown":
        print(catalogue_markdown(ruleset), end="")
    elif format == "text":
        catalogue_text(ruleset, Console(highlight=False))
    else:
        raise _fail(f"--format: '{format}' is not one of text, markdown, json", 2)


@rules_app.command("facts")
def rules_facts() -> None:
    """Print every fact a rule can read, with its label and how to document it."""
    from rich.table import Table

    from cds.rule_facts import FACT_NAMES, fact_extra, fact_label

    table = Table("fact", "meaning", "how to document")
    for name in sorted(FACT_NAMES):
        table.add_row(name, fact_label(name), str(fact_extra(name).get("how", "")))
    Console().print(table)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="Bind address (default: CDS_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default from CDS_PORT or 8080).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default from CDS_WORKERS "
                                                                   "or 1).")] = None,
) -> None:
    """Run the CDS Hooks service (FastAPI on uvicorn)."""
    from cds.service.commands import serve as run_service

    run_service(host=host, port=port, workers=workers)


feedback_app = typer.Typer(help="Clinician feedback on the cards.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("report")
def feedback_report(
    format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """Accept and override rates and override reasons per rule, from the feedback database."""
    from cds.service.commands import feedback_report as report

    report(format=format)


@app.command("review-report")
def review_report(
    cucumber_json: Annotated[Path, typer.Option("--cucumber-json", help="pytest-bdd cucumber JSON of a BDD "
                                                                        "run.")] = Path("reports/cucumber.json"),
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o", help="Where to write review.html and "
                                                                        "review.md.")] = Path("reports"),
) -> None:
    """Build the clinician review report (HTML and Markdown) from a BDD run."""
    from cds.review.report import ReviewReportError, build_review_report

    try:
        paths = build_review_report(cucumber_json, output_dir)
    except ReviewReportError as exc:
        raise _fail(f"review-report: {exc}", 2) from None
    for path in paths:
        print(path)


def main() -> None:  # pragma: no cover - the console script calls app()
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
