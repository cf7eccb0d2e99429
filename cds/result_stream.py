"""The results of a run, written in the chosen format as they arrive, in constant memory.

Each format has two halves. ``render`` turns one evaluation into its piece of output (bytes or
text) and runs where the evaluation was made — in a worker process — so that only a few kB per
patient travel back, never the Evaluation objects. The writer, in the parent, puts the pieces
together in input order: NDJSON one object a line; JSON a list streamed element by element (one
patient alone is still one indented object, as the contract says); CSV rows under one header;
text and Markdown one patient after another; HTML one page per patient and an index at the end.

An input or patient that could not be evaluated is an *error entry* in the same stream: in
NDJSON/JSON an object ``{"error": …, "input": …, "patient": …}`` (patient when known), in CSV a
row with the ``error`` column, in text and Markdown a line.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

from cds.output import Evaluation

ERROR_KEY = "error"


@dataclass(frozen=True)
class Failure:
    """An input or a patient that could not be evaluated."""

    source: str
    message: str
    """One line naming the input (and the patient, when known) and the problem."""
    patient: str | None = None

    def to_dict(self) -> dict[str, str]:
        out = {ERROR_KEY: self.message, "input": self.source}
        if self.patient is not None:
            out["patient"] = self.patient
        return out


class Writer(Protocol):
    def write(self, piece: Any) -> None: ...
    def fail(self, failure: Failure) -> None: ...
    def close(self) -> None: ...


class Format(Protocol):
    """A picklable pair: ``render`` in the worker, ``writer`` in the parent."""

    def render(self, evaluation: Evaluation) -> Any: ...
    def writer(self, out: IO[bytes]) -> Writer: ...


def evaluation_json(evaluation: Evaluation) -> bytes:
    """The contract's JSON, compact (orjson: about ten times faster than ``json.dumps(indent=2)``)."""
    return orjson.dumps(evaluation.to_dict())


# --------------------------------------------------------------------------- NDJSON and JSON


@dataclass(frozen=True)
class NdjsonFormat:
    def render(self, evaluation: Evaluation) -> bytes:
        return evaluation_json(evaluation)

    def writer(self, out: IO[bytes]) -> Writer:
        return _NdjsonWriter(out)


class _NdjsonWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, piece: bytes) -> None:
        self.out.write(piece + b"\n")
        self.out.flush()

    def fail(self, failure: Failure) -> None:
        self.write(orjson.dumps(failure.to_dict()))

    def close(self) -> None:
        self.out.flush()


@dataclass(frozen=True)
class JsonFormat:
    def render(self, evaluation: Evaluation) -> bytes:
        return evaluation_json(evaluation)

    def writer(self, out: IO[bytes]) -> Writer:
        return _JsonWriter(out)


class _JsonWriter:
    """A JSON list written element by element (one per line). The first element is held back
    until a second arrives: a run that makes exactly one is printed as one indented object."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.first: bytes | None = None
        self.count = 0

    def write(self, piece: bytes) -> None:
        self.count += 1
        if self.count == 1:
            self.first = piece
            return
        if self.count == 2:
            assert self.first is not None
            self.out.write(b"[\n" + self.first)
            self.first = None
        self.out.write(b",\n" + piece)
        self.out.flush()

    def fail(self, failure: Failure) -> None:
        self.write(orjson.dumps(failure.to_dict()))

    def close(self) -> None:
        if self.count == 0:
            self.out.write(b"[]\n")
        elif self.count == 1:
            assert self.first is not None
            self.out.write(orjson.dumps(orjson.loads(self.first), option=orjson.OPT_INDENT_2) + b"\n")
        else:
            self.out.write(b"\n]\n")
        self.out.flush()


# --------------------------------------------------------------------------- CSV


@dataclass(frozen=True)
class CsvFormat:
    excel: bool = False
    """A file Excel opens correctly: UTF-8 byte-order mark, CRLF, no cell read as a formula."""

    def render(self, evaluation: Evaluation) -> str:
        from cds.views.csv_rows import csv_text, rows

        return csv_text(rows(evaluation), excel=self.excel)

    def writer(self, out: IO[bytes]) -> Writer:
        return _CsvWriter(out, self.excel)


def _csv_text(rows: Any, header: bool = False, excel: bool = False) -> str:
    from cds.views.csv_rows import csv_text

    return csv_text(rows, header=header, excel=excel)


class _CsvWriter:
    def __init__(self, out: IO[bytes], excel: bool = False) -> None:
        from cds.views.csv_rows import BOM

        self.out = out
        self.excel = excel
        self.out.write(((BOM if excel else "") + _csv_text((), header=True, excel=excel)).encode())

    def write(self, piece: str) -> None:
        self.out.write(piece.encode())
        self.out.flush()

    def fail(self, failure: Failure) -> None:
        self.write(_csv_text([{"patient": failure.patient or "", ERROR_KEY: failure.message}], excel=self.excel))

    def close(self) -> None:
        self.out.flush()


# --------------------------------------------------------------------------- text and Markdown


@dataclass(frozen=True)
class TextFormat:
    """The terminal view, rendered in the worker with the parent terminal's width and colours."""

    width: int = 100
    color_system: str | None = None
    terminal: bool = False

    @classmethod
    def like(cls, console: Any) -> TextFormat:
        return cls(width=console.width, color_system=console.color_system, terminal=console.is_terminal)

    def _console(self, file: IO[str]) -> Any:
        from rich.console import Console

        return Console(file=file, width=self.width, color_system=self.color_system,  # type: ignore[arg-type]
                       force_terminal=self.terminal, highlight=False, soft_wrap=False)

    def render(self, evaluation: Evaluation) -> tuple[str, Any]:
        """The patient's text and what it adds to the closing cohort summary."""
        from cds.views.cohort import CohortEntry
        from cds.views.text import render_evaluation

        buffer = io.StringIO()
        render_evaluation(evaluation, self._console(buffer))
        return buffer.getvalue(), CohortEntry.of(evaluation)

    def writer(self, out: IO[bytes]) -> Writer:
        return _TextWriter(out, self)

    def summary_text(self, summary: Any) -> str:
        buffer = io.StringIO()
        summary.render(self._console(buffer))
        return buffer.getvalue()

    def _separator(self) -> str:
        buffer = io.StringIO()
        self._console(buffer).rule(style="dim")
        return buffer.getvalue()

    def _failure(self, failure: Failure) -> str:
        from rich.text import Text

        buffer = io.StringIO()
        self._console(buffer).print(Text(f"error: {failure.message}", style="bold red"), soft_wrap=True)
        return buffer.getvalue()


class _TextWriter:
    """Patients one after another, then, for more than one, the cohort summary."""

    def __init__(self, out: IO[bytes], text: TextFormat) -> None:
        from cds.views.cohort import CohortSummary

        self.text = text
        self.pieces = _PiecesWriter(out, separator=text._separator(), failure=text._failure)
        self.summary = CohortSummary()

    def write(self, piece: tuple[str, Any]) -> None:
        body, entry = piece
        self.pieces.write(body)
        self.summary.add_entry(entry)

    def fail(self, failure: Failure) -> None:
        self.pieces.fail(failure)
        self.summary.add_failure()

    def close(self) -> None:
        if self.summary.patients + self.summary.failed > 1:
            self.pieces.out.write(self.text.summary_text(self.summary).encode())
        self.pieces.close()


@dataclass(frozen=True)
class MarkdownFormat:
    def render(self, evaluation: Evaluation) -> str:
        from cds.views.markdown import render_evaluation

        return render_evaluation(evaluation)

    def writer(self, out: IO[bytes]) -> Writer:
        return _PiecesWriter(out, separator="\n---\n\n", failure=lambda f: f"**Error:** {f.message}\n")


class _PiecesWriter:
    """Pieces of text one after the other, a separator between two."""

    def __init__(self, out: IO[bytes], separator: str, failure: Callable[[Failure], str]) -> None:
        self.out = out
        self.separator = separator.encode()
        self.failure = failure
        self.count = 0

    def write(self, piece: str) -> None:
        if self.count:
            self.out.write(self.separator)
        self.count += 1
        self.out.write(piece.encode())
        self.out.flush()

    def fail(self, failure: Failure) -> None:
        self.write(self.failure(failure))

    def close(self) -> None:
        self.out.flush()


# --------------------------------------------------------------------------- HTML


@dataclass(frozen=True)
class HtmlFormat:
    """One page per patient written into ``output_dir`` as it comes; the index at the end. The
    path of every file written is printed, one a line."""

    output_dir: Path

    def render(self, evaluation: Evaluation) -> Any:
        from cds.views.html import render_page

        return render_page(evaluation)

    def writer(self, out: IO[bytes]) -> Writer:
        return _HtmlWriter(self.output_dir, out)


class _HtmlWriter:
    def __init__(self, output_dir: Path, out: IO[bytes]) -> None:
        from cds.views.html import PageWriter

        self.pages = PageWriter(output_dir)
        self.out = out

    def write(self, piece: Any) -> None:
        path = self.pages.add(*piece)
        self.out.write(f"{path}\n".encode())
        self.out.flush()

    def fail(self, failure: Failure) -> None:
        """No page: the failure is said on stderr, like every failure."""

    def close(self) -> None:
        self.write_index()

    def write_index(self) -> None:
        path = self.pages.finish()
        self.out.write(f"{path}\n".encode())
        self.out.flush()


FORMATS: dict[str, type] = {"ndjson": NdjsonFormat, "json": JsonFormat, "csv": CsvFormat, "text": TextFormat,
                            "markdown": MarkdownFormat, "html": HtmlFormat}


def stdout_bytes() -> IO[bytes]:
    return sys.stdout.buffer
