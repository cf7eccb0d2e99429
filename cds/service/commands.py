"""``cds serve`` and ``cds feedback report``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import sys
import time
from typing import Any

from cds.service.settings import Settings


def _http_protocol_base() -> type[asyncio.Protocol]:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        return HttpToolsProtocol
    except ImportError:
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol


class NoDelayHttpProtocol(_http_protocol_base()):  # type: ignore[misc]
    """Uvicorn's HTTP protocol with TCP_NODELAY on every connection.

    With ``--workers`` > 1 the workers accept on a socket inherited from the supervisor, and asyncio
    does not set TCP_NODELAY on those connections (the inherited socket does not report
    IPPROTO_TCP). Every response then waits for the client's delayed ACK: measured 44 ms per
    request instead of 2 ms. Setting it here makes both modes equal.
    """

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[arg-type]


def app_factory() -> object:
    """Uvicorn's factory (one call per worker process; settings come from the environment)."""
    from cds.service.app import create_app

    return create_app(Settings())


def _uvicorn_config(settings: Settings, host: str, port: int) -> Any:
    import uvicorn

    return uvicorn.Config("cds.service.commands:app_factory", factory=True, host=host, port=port,
                          log_level=settings.log_level.lower(), proxy_headers=True, server_header=False,
                          http=NoDelayHttpProtocol)


def _setup_logging(settings: Settings) -> None:
    from cds.service.audit import install_redaction

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_redaction()


def serve(host: str | None = None, port: int | None = None, workers: int | None = None) -> None:
    import uvicorn

    settings = Settings()
    _setup_logging(settings)
    host, port, workers = host or settings.host, port or settings.port, workers or settings.workers
    if workers <= 1:
        uvicorn.Server(_uvicorn_config(settings, host, port)).run()
    elif hasattr(socket, "SO_REUSEPORT"):
        _serve_reuseport(host, port, workers)
    else:  # no SO_REUSEPORT (not Linux/BSD): uvicorn's own supervisor, one shared socket
        uvicorn.run("cds.service.commands:app_factory", factory=True, host=host, port=port, workers=workers,
                    log_level=settings.log_level.lower(), proxy_headers=True, server_header=False,
                    http=NoDelayHttpProtocol)


def _worker(host: str, port: int) -> None:
    """One worker process: its own listening socket on the shared port (SO_REUSEPORT)."""
    import uvicorn

    settings = Settings()
    _setup_logging(settings)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        logging.getLogger("cds.service").error("cannot listen on %s:%d: %s", host, port, exc.strerror or exc)
        raise SystemExit(1) from None
    uvicorn.Server(_uvicorn_config(settings, host, port)).run(sockets=[sock])


def _serve_reuseport(host: str, port: int, workers: int) -> None:
    """Several workers, each with its own socket on the same port, so the kernel spreads the
    connections over them. (uvicorn's supervisor shares one socket: measured, every keep-alive
    connection of an 8-client load went to the same worker and the second one idled.) Workers
    that die are restarted; SIGINT/SIGTERM stop them all."""
    import multiprocessing
    import signal

    log = logging.getLogger("cds.service")
    ctx = multiprocessing.get_context("spawn")
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    def start() -> Any:
        process = ctx.Process(target=_worker, args=(host, port), daemon=False)
        process.start()
        return process

    log.info("cds serve: %d workers on http://%s:%d (one socket each, SO_REUSEPORT)", workers, host, port)
    processes = [start() for _ in range(workers)]
    started = time.monotonic()
    try:
        while not stopping:
            time.sleep(0.3)
            for n, process in enumerate(processes):
                if process.is_alive() or stopping:
                    continue
                if time.monotonic() - started < 10:  # died while starting: a configuration problem
                    log.error("worker %d exited with code %s during start-up; stopping", n, process.exitcode)
                    stopping = True
                    break
                log.warning("worker %d exited with code %s; restarting it", n, process.exitcode)
                processes[n] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=15)
            if process.is_alive():
                process.kill()
    if any(p.exitcode not in (0, -signal.SIGTERM) for p in processes) and time.monotonic() - started < 10:
        raise SystemExit(1)


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
