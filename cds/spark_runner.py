"""Screening a population on Apache Spark: the batch pipeline, one ruleset per Python worker.

Input is an NDJSON Bulk Data export at any path Spark can read (a local folder, ``hdfs://``,
``s3a://``…): every ``*.ndjson`` file under it, read with its byte offsets. Each line is keyed by
patient with the reader's own rule (``fhir_mappings.patient_shards``), resources without a
patient (Practitioner, Medication…) are broadcast to every patient, the lines are grouped by
patient, and each patient's record is built, mapped, derived and evaluated by durable_rules
inside the Python workers (the ruleset is loaded once per worker process). A record is the one the
local runner builds from the same export, so the evaluations are the same.

Output, under ``OUT``:

* ``evaluations.ndjson/`` — one evaluation (the JSON contract) per line, or an error entry;
* ``evaluations.parquet/`` — one row per patient: ``patient``, ``evaluation`` (the JSON), ``error``;
* ``recommendations.parquet/`` — one row per patient × lesion × recommendation (a lesion without
  recommendation and a patient without lesion still have a row, with nulls);
* ``summary.json`` — counts of patients, evaluations, failures and recommendations, urgent patients,
  what was skipped in the export.

Run it with ``cds screen EXPORT -o OUT`` (local mode by default) or submit it to a cluster with
``spark-submit`` (see docs/spark.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

import orjson

SUFFIX = ".ndjson"
_OFFSET_BITS = 40  # a line's sort key: file rank above, byte offset below (files up to 1 TB)
_ENTRY_BITS = 16


@dataclass(frozen=True)
class ScreenSummary:
    patients: int
    evaluated: int
    failed: int
    output: str
    summary: dict[str, Any]


def _position(rank: int, offset: int, entry_no: int) -> int:
    """Input order of a resource: file (in name order), byte offset, entry in the line's Bundle."""
    return ((rank << _OFFSET_BITS) + offset << _ENTRY_BITS) + entry_no + 1


# ------------------------------------------------------------------ line → keyed items (workers)


def _items_of_line(rank: int, path: str, offset: int, line: str) -> list[tuple[str, Any]]:
    """What one NDJSON line holds: ('entry', (key, specific, position, full_url, resource JSON))
    for each resource, or ('note', (rank, notes)) for what is not one."""
    from fhir_mappings.patient_shards import FileNotes, keyed, value_entries
    from fhir_mappings.reader import loads

    text = line.strip()
    if not text:
        return []
    notes = FileNotes()
    where = f"byte {offset}: "
    try:
        value = loads(text.removeprefix("\ufeff"))
    except ValueError as exc:
        notes.skip(f"{where}not JSON ({str(getattr(exc, 'msg', exc)).split(':')[0]})")
        return [("note", (rank, notes))]
    read = value_entries(value, where, path, notes)
    out: list[tuple[str, Any]] = []
    if notes.skipped or notes.errors:
        out.append(("note", (rank, notes)))
    for entry_no, entry, key, specific in keyed(read.entries, {}):
        position = _position(rank, offset, entry_no)
        out.append(("entry", (key, specific, position, entry.full_url, orjson.dumps(entry.resource))))
    return out


# ------------------------------------------------------------------ patient → evaluation (workers)


@dataclass(frozen=True)
class _Job:
    """What every worker needs besides a patient's lines (broadcast once)."""

    source: str
    files: tuple[str, ...]
    as_of: datetime
    engine: str
    shared: tuple[tuple[int, str | None, bytes], ...]
    file_warnings: dict[int, tuple[Any, ...]]
    everyone: tuple[Any, ...]
    single_patient: bool


def _evaluate_patient(job: _Job, key: str, items: Iterable[tuple[int, str | None, bytes]]) -> dict[str, Any]:
    from cds.pipeline import evaluate_record
    from cds.result_stream import Failure
    from fhir_mappings.reader import Collected, Entry, group_records

    own = sorted(items, key=lambda item: item[0])
    ranks = {position >> (_OFFSET_BITS + _ENTRY_BITS) for position, _, _ in own}
    used = set(job.file_warnings) if job.single_patient else ranks
    collected = Collected()
    for rank in sorted(used & set(job.file_warnings)):
        collected.warnings.extend((job.source, w) for w in job.file_warnings[rank])
    collected.warnings.extend((job.source, w) for w in job.everyone)
    for position, full_url, raw in sorted([*own, *job.shared], key=lambda item: item[0]):
        rank = position >> (_OFFSET_BITS + _ENTRY_BITS)
        collected.entries.append(Entry(orjson.loads(raw), full_url, job.files[rank], position))
    try:
        records = group_records(collected, job.source)
        (record,) = records
        evaluation = evaluate_record(record, job.as_of, engine=job.engine)
    except Exception as exc:
        message = " ".join(f"{job.source}: patient {key}: could not be evaluated ({type(exc).__name__}: {exc})"
                           .split())[:300]
        return {"patient": key, "error": Failure(job.source, message, key).to_dict()}
    return {"patient": record.patient_id, "evaluation": evaluation.to_dict()}


def _priority(rec: dict[str, Any]) -> str | None:
    """The priority column: 'avoid' for what not to do, never the priority an endorsement would carry."""
    return "avoid" if rec.get("code") == "avoid" else rec.get("priority")


def _recommendation_rows(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    """One row per patient × lesion × recommendation (nulls where there is none)."""
    evaluation = result.get("evaluation")
    if evaluation is None:
        return [(result["patient"], None, None, None, None, None, None, None, None, None)]
    patient = evaluation["patient"]["id"]
    rows: list[tuple[Any, ...]] = []
    recommendations = evaluation.get("recommendations", [])
    lesions = evaluation.get("lesions", [])
    for lesion in lesions:
        recs = [r for r in recommendations if r.get("lesion") == lesion["id"]]
        for rec in recs or [None]:
            rows.append((patient, lesion["id"], lesion.get("site"), lesion.get("region"),
                         rec and rec["code"], rec and rec.get("reason"), rec and _priority(rec),
                         rec and rec.get("summary"), rec and ",".join(rec.get("rules", [])),
                         rec and ",".join(c["key"] for c in rec.get("citations", []))))
    for rec in (r for r in recommendations if r.get("lesion") not in {x["id"] for x in lesions}):
        rows.append((patient, rec.get("lesion"), None, None, rec["code"], rec.get("reason"), _priority(rec),
                     rec.get("summary"), ",".join(rec.get("rules", [])),
                     ",".join(c["key"] for c in rec.get("citations", []))))
    return rows or [(patient, None, None, None, None, None, None, None, None, None)]


RECOMMENDATION_COLUMNS = ("patient", "lesion", "site", "region", "code", "reason", "priority", "summary", "rules",
                          "citations")


# ------------------------------------------------------------------ the job (driver)


def _list_files(spark: Any, path: str) -> list[tuple[str, str]]:
    """Every *.ndjson file under ``path`` (any Hadoop file system), in name order: (the name Spark
    reads, the name as the local runner shows it — relative to the export as the user wrote it)."""
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not fs.exists(hadoop_path):
        raise FileNotFoundError(f"{path}: no such file or folder")
    root = fs.makeQualified(hadoop_path).toString().rstrip("/")
    shown_root = _shown(path)
    files = []
    listing = fs.listFiles(hadoop_path, True)
    while listing.hasNext():
        name = listing.next().getPath().toString()
        if name.lower().endswith(SUFFIX):
            relative = name[len(root):].lstrip("/")
            files.append((name, f"{shown_root}/{relative}" if relative else shown_root))
    return sorted(files, key=lambda f: f[1])


def _shown(path: str) -> str:
    """A path as the local runner names it (``str(Path(path))`` for a local path)."""
    return str(PurePosixPath(path)) if "://" not in path and not path.startswith("file:") else path.rstrip("/")


def _write_text(spark: Any, path: str, text: str) -> None:
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    stream = fs.create(hadoop_path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def screen(spark: Any, export: str, output: str, as_of: datetime, *, engine: str = "durable",
           partitions: int | None = None) -> ScreenSummary:
    """Evaluate every patient of the Bulk export at ``export``; write the results under ``output``."""
    from pyspark.sql.types import StringType, StructField, StructType

    from cds.state import Warning_
    from fhir_mappings.patient_shards import FileNotes, entry_reference
    from fhir_mappings.reader import UNKNOWN_PATIENT

    sc = spark.sparkContext
    listed = _list_files(spark, export)
    if not listed:
        raise FileNotFoundError(f"{export}: no {SUFFIX} files")
    shown = tuple(path for _, path in listed)
    source = _shown(export)
    lines = sc.union([
        sc.newAPIHadoopFile(name, "org.apache.hadoop.mapreduce.lib.input.TextInputFormat",
                            "org.apache.hadoop.io.LongWritable", "org.apache.hadoop.io.Text")
        .map(lambda pair, rank=rank, path=path: (rank, path, pair[0], pair[1]))
        for rank, (name, path) in enumerate(listed)])
    items = lines.flatMap(lambda row: _items_of_line(*row)).cache()

    # one pass over the lines for what is small enough for the driver: notes per file, resources
    # found per file, resources without a patient (broadcast to all) and orphans
    notes: dict[int, FileNotes] = {}
    found: Counter[int] = Counter()
    shared_items: list[tuple[int, str | None, bytes]] = []
    orphans: list[tuple[int, str | None, bytes]] = []
    for part in items.mapPartitions(_side_summary).collect():
        for rank, note in part["notes"]:
            notes[rank] = notes.get(rank, FileNotes()).merge(note)
        found.update(part["found"])
        shared_items += part["shared"]
        orphans += part["orphans"]
    shared = tuple(sorted(shared_items))
    keyed = items.filter(lambda kv: kv[0] == "entry" and kv[1][0] is not None).map(
        lambda kv: (kv[1][0], (kv[1][2], kv[1][3], kv[1][4])))
    grouped = keyed.groupByKey(numPartitions=partitions or max(sc.defaultParallelism, 1)).cache()
    patients = grouped.count()

    notices: list[str] = []
    file_warnings: dict[int, tuple[Any, ...]] = {}
    everyone: list[Any] = []
    for rank in sorted(notes):
        said = notes[rank].said(shown[rank], found.get(rank, 0))
        notices += said.notices
        everyone += said.everyone
        if said.readers:
            file_warnings[rank] = tuple(said.readers)
    if patients == 0 and (orphans or shared):  # no patient anywhere: one record, as the local runner reads it
        grouped = sc.parallelize([(UNKNOWN_PATIENT, orphans)])
        patients, orphans = 1, []
    elif patients == 1 and orphans:  # one patient: resources without a resolvable patient are its own
        grouped = grouped.mapValues(lambda own: [*own, *orphans])
    else:
        everyone += [Warning_(resource=entry_reference(_entry(raw, url), position),
                              message="no resolvable patient reference and several patients in the input; not used")
                     for position, url, raw in sorted(orphans)]
    job = sc.broadcast(_Job(source=source, files=shown, as_of=as_of, engine=engine, shared=shared,
                            file_warnings=file_warnings, everyone=tuple(everyone), single_patient=patients == 1))

    results = grouped.map(lambda kv: _evaluate_patient(job.value, kv[0], kv[1])).cache()
    evaluations = results.map(lambda r: (r["patient"], orjson.dumps(r.get("evaluation") or r["error"]).decode(),
                                         r["error"]["error"] if "error" in r else None))
    schema = StructType([StructField("patient", StringType()), StructField("evaluation", StringType()),
                         StructField("error", StringType())])
    frame = spark.createDataFrame(evaluations, schema).cache()
    base = output.rstrip("/")
    frame.write.mode("overwrite").parquet(f"{base}/evaluations.parquet")
    frame.select("evaluation").write.mode("overwrite").text(f"{base}/evaluations.ndjson")
    rec_schema = StructType([StructField(c, StringType()) for c in RECOMMENDATION_COLUMNS])
    spark.createDataFrame(results.flatMap(_recommendation_rows), rec_schema).write.mode("overwrite").parquet(
        f"{base}/recommendations.parquet")

    counts = results.map(_summary_counts).fold(_NO_COUNTS, _add_counts)
    summary = {"export": export, "as_of": as_of.isoformat(), "engine": engine, "files": len(listed),
               "patients": counts["patients"], "evaluated": counts["evaluated"], "failed": counts["failed"],
               "recommendations": dict(sorted(counts["codes"].items())), "urgent_patients": sorted(counts["urgent"]),
               "notices": notices}
    _write_text(spark, f"{base}/summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    items.unpersist()
    results.unpersist()
    return ScreenSummary(counts["patients"], counts["evaluated"], counts["failed"], base, summary)


def _side_summary(items: Iterable[tuple[str, Any]]) -> Iterator[dict[str, Any]]:
    """(one partition) Notes, resources per file, shared resources and orphans of its lines."""
    notes: list[tuple[int, Any]] = []
    found: Counter[int] = Counter()
    shared: list[tuple[int, str | None, bytes]] = []
    orphans: list[tuple[int, str | None, bytes]] = []
    for kind, value in items:
        if kind == "note":
            notes.append(value)
            continue
        key, specific, position, full_url, raw = value
        found[position >> (_OFFSET_BITS + _ENTRY_BITS)] += 1
        if key is None:
            (orphans if specific else shared).append((position, full_url, raw))
    yield {"notes": notes, "found": found, "shared": shared, "orphans": orphans}


def _entry(raw: bytes, full_url: str | None) -> Any:
    from fhir_mappings.reader import Entry

    return Entry(orjson.loads(raw), full_url, "")


def _summary_counts(result: dict[str, Any]) -> dict[str, Any]:
    evaluation = result.get("evaluation")
    codes: Counter[str] = Counter()
    urgent: list[str] = []
    if evaluation is not None:
        codes.update(r["code"] for r in evaluation.get("recommendations", []))
        if any(r.get("priority") == "urgent" for r in evaluation.get("recommendations", [])):
            urgent.append(evaluation["patient"]["id"])
    return {"patients": 1, "evaluated": int(evaluation is not None), "failed": int(evaluation is None),
            "codes": codes, "urgent": urgent}


_NO_COUNTS: dict[str, Any] = {"patients": 0, "evaluated": 0, "failed": 0, "codes": Counter(), "urgent": []}


def _add_counts(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {"patients": a["patients"] + b["patients"], "evaluated": a["evaluated"] + b["evaluated"],
            "failed": a["failed"] + b["failed"], "codes": a["codes"] + b["codes"], "urgent": a["urgent"] + b["urgent"]}


def spark_session(master: str | None = None, app_name: str = "bone-mets-cds screen") -> Any:
    """A SparkSession; ``master`` None keeps what spark-submit set, or local mode on all cores."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if not _submitted():
        # local mode: the Python workers must be this interpreter (the project and durable_rules are
        # installed here), not whatever "python3" is on PATH
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    if master:
        builder = builder.master(master)
    elif not _submitted():
        builder = builder.master("local[*]")
    builder = builder.config("spark.ui.showConsoleProgress", "false").config("spark.ui.enabled", "false")
    return builder.getOrCreate()


def _submitted() -> bool:
    return bool(os.environ.get("SPARK_ENV_LOADED") or os.environ.get("PYSPARK_GATEWAY_PORT"))


def _parse_as_of(value: str | None) -> datetime:
    from cds.pipeline import as_of_datetime

    if value is None:
        return as_of_datetime(None)
    return as_of_datetime(date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value))


def main(argv: Sequence[str] | None = None) -> None:
    """``spark-submit …/cds/spark_runner.py EXPORT OUT [--as-of DATE]``."""
    parser = argparse.ArgumentParser(description="Screen a Bulk Data export on Spark.")
    parser.add_argument("export")
    parser.add_argument("output")
    parser.add_argument("--as-of")
    parser.add_argument("--engine", default="durable", choices=("durable", "python"))
    parser.add_argument("--partitions", type=int)
    parser.add_argument("--master")
    args = parser.parse_args(argv)
    spark = spark_session(args.master)
    try:
        result = screen(spark, args.export, args.output, _parse_as_of(args.as_of), engine=args.engine,
                        partitions=args.partitions)
    finally:
        spark.stop()
    print(json.dumps({k: v for k, v in result.summary.items() if k != "urgent_patients"}, indent=2))


def iter_ndjson(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The evaluations (and error entries) of an ``evaluations.ndjson`` folder's lines."""
    for line in lines:
        if line.strip():
            yield orjson.loads(line)


if __name__ == "__main__":
    main()
