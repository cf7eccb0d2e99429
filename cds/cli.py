"""The command line: ``cds evaluate``, ``cds rules check|list|facts`` (and the service commands).

Exit codes (contract): 0 evaluated, whatever the recommendations; 2 no input readable or not FHIR,
or a usage mistake (one line naming the file or option and the problem); 3 some inputs or patients
failed and the others were evaluated (each failure named, in the output and on stderr); 1 internal
error. Never a traceback unless ``CDS_DEBUG=1``.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperArgument, TyperCommand

from cds import __version__

if TYPE_CHECKING:
    from cds.result_stream import Format as OutputFormat

app = typer.Typer(
    name="cds",
    help="Decision support for radiotherapy of bone metastases: FHIR R4 in, cited per-lesion recommendations out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
rules_app = typer.Typer(help="Check and list the declarative rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

# soft_wrap: a one-line message stays one line whatever the terminal width (a long path must not
# be wrapped into several lines: scripts and tests read these lines)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(StrEnum):
    text = "text"
    json = "json"
    ndjson = "ndjson"
    markdown = "markdown"
    csv = "csv"
    html = "html"


class Engine(StrEnum):
    durable = "durable"
    python = "python"


class CatalogueFormat(StrEnum):
    text = "text"
    json = "json"


class _PlainHelpCommand(TyperCommand):
    """Help in plain words: ``PATH...`` rather than typer's ``{paths}``, no ``<list[str]>`` or
    ``<bool>`` type labels where they say nothing to a user."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = ["[OPTIONS]"]
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(param.metavar or f"{param.name.upper()}...")  # type: ignore[union-attr]
        return pieces

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for param in params:
            if isinstance(param, TyperArgument) or getattr(param, "is_flag", False):
                param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
        return params


def _fail(message: str, code: int) -> typer.Exit:
    err.print(message, markup=False, highlight=False, soft_wrap=True)
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


@app.command(cls=_PlainHelpCommand)
def evaluate(
    paths: Annotated[list[str], typer.Argument(metavar="PATH...", show_default=False,
                                               help="FHIR inputs: Bundle JSON or NDJSON files, folders "
                                                    "(searched recursively; a folder of NDJSON files or "
                                                    "single resources is a Bulk Data export, grouped by "
                                                    "patient), or '-' for stdin.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output view. ndjson: one evaluation per line "
                                                                  "as each is made.")] = Format.text,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="DATE",
                                              help="Evaluate as of this date (YYYY-MM-DD or ISO "
                                                   "date-time); default now. Makes results "
                                                   "reproducible.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", metavar="N",
                                             help="Worker processes (default: all cores); patients of "
                                                  "one Bulk export are shared out too.")] = None,
    engine: Annotated[Engine, typer.Option("--engine", help="durable (production) or python (the test "
                                                            "oracle).")] = Engine.durable,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", "-o", metavar="DIR",
                                                    help="For --format html: the folder "
                                                         "to write one page per patient "
                                                         "into.")] = None,
    excel: Annotated[bool, typer.Option("--excel", help="For --format csv: a file Excel opens correctly (UTF-8 "
                                                        "byte-order mark, CRLF, no cell read as a formula).")] = False,
    partial_record: Annotated[bool, typer.Option(
        "--partial-record", help="The inputs are extracts, not whole records: a fact they do not hold is "
                                 "unknown, never 'not recorded' (no silence is read as absence).")] = False,
    covers: Annotated[str | None, typer.Option(
        "--covers", metavar="TYPES", help="The inputs hold every resource of these types and no others "
                                          "(comma-separated, e.g. Condition,Observation,Procedure): a silence "
                                          "is 'not recorded' only in them.")] = None,
) -> None:
    """Evaluate patients and print per-lesion recommendations, eligibility, citations and data gaps.

    A Bundle or Bulk export is read as the patient's whole record: a fact it does not hold is *not
    recorded*, and the fact catalogue (`cds rules facts`) says which such silences may be read as
    absence, and for which decisions. Use --partial-record or --covers for extracts."""
    try:
        coverage = _coverage(partial_record, covers)
        code = _evaluate(paths, format, _parse_as_of(as_of), jobs, engine, output_dir, excel, coverage)
    except typer.Exit:
        raise
    except BrokenPipeError:
        code = _stdout_closed()
    except Exception as exc:  # the contract: exit 1, one line, no traceback
        if os.environ.get("CDS_DEBUG"):
            raise
        raise _fail(f"internal error: {type(exc).__name__}: {exc}", 1) from None
    raise typer.Exit(code)


def _stdout_closed() -> int:
    """The reader of our output went away (``cds evaluate … | head``): stop quietly. Later writes
    (the interpreter flushes stdout at exit) go to /dev/null instead of raising again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


def _output_format(fmt: Format, output_dir: Path | None, console: Console, excel: bool = False) -> OutputFormat:
    from cds import result_stream as rs

    if fmt is Format.csv:
        return rs.CsvFormat(excel=excel)
    if fmt is Format.html:
        assert output_dir is not None
        return rs.HtmlFormat(output_dir)
    if fmt is Format.text:
        return rs.TextFormat.like(console)
    return {Format.json: rs.JsonFormat, Format.ndjson: rs.NdjsonFormat, Format.csv: rs.CsvFormat,
            Format.markdown: rs.MarkdownFormat}[fmt]()


def _check_output_dir(output_dir: Path) -> None:
    """A folder we can write into, or one line and exit 2 (a user mistake, not an internal error)."""
    import tempfile

    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=output_dir):
            pass
    except OSError as exc:
        raise _fail(f"--output-dir {output_dir}: cannot write there ({exc.strerror or exc})", 2) from None


FHIR_TYPES = frozenset({
    "Condition", "Observation", "Procedure", "ServiceRequest", "MedicationRequest", "MedicationAdministration",
    "MedicationStatement", "DiagnosticReport", "ImagingStudy", "Encounter", "Patient", "CarePlan",
    "AllergyIntolerance", "Specimen", "DocumentReference", "FamilyMemberHistory", "Immunization",
})


def _coverage(partial_record: bool, covers: str | None) -> Any:
    """The user's statement of what the inputs cover, or None (whole records)."""
    from fhir_mappings.reader import Coverage

    if partial_record and covers is not None:
        raise _fail("--partial-record and --covers: give one (--covers lists what a partial record holds)", 2)
    if partial_record:
        return Coverage(frozenset())
    if covers is None:
        return None
    types = [t.strip() for t in covers.split(",") if t.strip()]
    unknown = [t for t in types if t not in FHIR_TYPES]
    if not types or unknown:
        raise _fail(f"--covers: {', '.join(unknown) or repr(covers)} is not a resource type this engine reads "
                    f"(one of {', '.join(sorted(FHIR_TYPES))})", 2)
    return Coverage(frozenset(types))


def _evaluate(paths: list[str], fmt: Format, as_of: datetime, jobs: int | None, engine: Engine,
              output_dir: Path | None, excel: bool = False, coverage: Any = None) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cds.pipeline import RunContext, plan_units, run_units
    from cds.rules_engine.loader import RulesetError, default_ruleset

    if jobs is not None and jobs < 1:
        raise _fail(f"--jobs: {jobs} is not a number of worker processes (1 or more)", 2)
    if excel and fmt is not Format.csv:
        raise _fail("--excel: only for --format csv", 2)
    if fmt is Format.html and output_dir is None:
        raise _fail("--format html needs --output-dir (one page per patient is written there)", 2)
    if output_dir is not None:
        _check_output_dir(output_dir)
    try:
        default_ruleset()
    except RulesetError as exc:
        raise _fail("the rules do not load (run `cds rules check`): " + exc.problems[0].sentence(), 1) from None

    out = Console(highlight=False, soft_wrap=False)
    output = _output_format(fmt, output_dir, out, excel)
    context = RunContext(as_of=as_of, engine=engine.value, render=output.render,
                         debug=bool(os.environ.get("CDS_DEBUG")), coverage=coverage)
    several = len(paths) > 1 or any(Path(p).is_dir() for p in paths if p != "-")
    progress = Progress(TextColumn("evaluating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, transient=True, disable=not (several and err.is_terminal))
    # errors go to stderr too, except for the text view on a terminal, which already shows them
    echo = not (fmt is Format.text and out.is_terminal and err.is_terminal)
    evaluated = failed = 0
    writer = output.writer(sys.stdout.buffer)
    with progress:
        task = progress.add_task("evaluate", total=None)

        def notice(line: str) -> None:
            progress.console.print(line, markup=False, highlight=False, soft_wrap=True)

        for result in run_units(plan_units(paths, notice), context, jobs):
            if result.failure is not None:
                failed += 1
                writer.fail(result.failure)
                if echo:
                    progress.console.print(result.failure.message, markup=False, highlight=False, soft_wrap=True)
                if result.debug:
                    progress.console.print(result.debug, markup=False, highlight=False, soft_wrap=True)
            else:
                evaluated += 1
                writer.write(result.output)
            progress.advance(task)
        writer.close()
    if failed:
        return 3 if evaluated else 2
    return 0


@app.command(cls=_PlainHelpCommand)
def screen(
    export: Annotated[str, typer.Argument(metavar="EXPORT", show_default=False,
                                          help="An NDJSON Bulk Data export: a folder (or any path Spark reads: "
                                               "hdfs://, s3a://…) of *.ndjson files.")],
    output: Annotated[str, typer.Option("--output", "-o", metavar="OUT",
                                        help="Where to write evaluations.ndjson/, evaluations.parquet/, "
                                             "recommendations.parquet/ and summary.json.")],
    runner: Annotated[str, typer.Option("--runner", help="spark (the only runner of this command; `cds evaluate` "
                                                         "is the local one).")] = "spark",
    master: Annotated[str | None, typer.Option("--master", metavar="URL",
                                               help="Spark master (default: local mode on all cores, or what "
                                                    "spark-submit set).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="DATE", help="Evaluate as of this date "
                                                                              "(YYYY-MM-DD); default now.")] = None,
    partitions: Annotated[int | None, typer.Option("--partitions", metavar="N",
                                                   help="Patient groups (default: Spark's parallelism).")] = None,
) -> None:
    """Screen a whole population on Apache Spark (pip install '.[spark]'): every patient of a Bulk
    export evaluated, results as NDJSON and Parquet with a summary."""
    if runner != "spark":
        raise _fail(f"--runner: '{runner}' is not a runner of `cds screen` (spark)", 2)
    when = _parse_as_of(as_of)
    try:
        from cds.spark_runner import screen as run_screen
        from cds.spark_runner import spark_session
    except ImportError as exc:
        raise _fail(f"the Spark runner needs PySpark: pip install '.[spark]' ({exc})", 2) from None
    try:
        spark = spark_session(master)
    except Exception as exc:
        raise _fail(f"Spark did not start (is Java 17+ installed?): {type(exc).__name__}: {exc}", 2) from None
    try:
        result = run_screen(spark, export, output, when, partitions=partitions)
    except FileNotFoundError as exc:
        raise _fail(str(exc), 2) from None
    finally:
        spark.stop()
    print(f"{result.patients} patients: {result.evaluated} evaluated, {result.failed} failed; results in {output}")
    for notice in result.summary.get("notices", []):
        err.print(notice, markup=False, highlight=False, soft_wrap=True)
    if result.failed:
        raise typer.Exit(3 if result.evaluated else 2)


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
def rules_facts(
    format: Annotated[CatalogueFormat, typer.Option("--format", "-f")] = CatalogueFormat.text,
    rule_facts: Annotated[bool, typer.Option("--rule-facts", help="List the names a rule condition may use "
                                                                  "instead, with how to document each.")] = False,
) -> None:
    """The fact catalogue: where each fact is recorded, how long it stays current, and which silences
    may be read as absence (for which decisions, and why). Unknown is never read as anything."""
    from rich.table import Table

    from cds.rule_facts import FACT_NAMES, fact_extra, fact_label
    from cds.rules_engine.catalogue import fact_catalogue_json, fact_catalogue_text
    from cds.rules_engine.loader import RulesetError, default_ruleset

    if rule_facts:
        table = Table("fact", "meaning", "how to document")
        for name in sorted(FACT_NAMES):
            table.add_row(name, fact_label(name), str(fact_extra(name).get("how", "")))
        Console().print(table)
        return
    try:
        ruleset = default_ruleset()
    except RulesetError as exc:
        raise _fail("the rules do not load (run `cds rules check`): " + exc.problems[0].sentence(), 1) from None
    if format is CatalogueFormat.json:
        print(json.dumps(fact_catalogue_json(ruleset), indent=2, ensure_ascii=False))
    else:
        fact_catalogue_text(ruleset, Console(highlight=False))


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
