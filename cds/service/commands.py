"""``cds serve`` and ``cds feedback report``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import sys
import threading
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


_last_shed = [0.0]
"""When this worker last closed a connection to even out the load (at most one per _SHED_PAUSE)."""
_SHED_PAUSE = 0.2


class ServiceHttpProtocol(_http_protocol_base()):  # type: ignore[misc]
    """Uvicorn's HTTP protocol with TCP_NODELAY on every connection, and keep-alive connections
    spread evenly over the workers.

    With several workers the workers accept on inherited sockets, and asyncio does not set
    TCP_NODELAY on those connections (the inherited socket does not report IPPROTO_TCP). Every
    response then waits for the client's delayed ACK: measured 44 ms per request instead of 2 ms.

    Keep-alive connections stay with the worker that accepted them, and the kernel hashes new ones
    over the workers' sockets at random: 8 clients on 2 workers were split 4–4 only a third of the
    time (5–3, 6–2, even 7–1 otherwise), and the busier worker's clients waited while the other
    core idled. So a worker holding more than its share of all the workers' connections (counts in
    shared memory) closes one after its next response (``Connection: close``, at most one per
    0.2 s); the client reconnects and lands on a random worker again, until the split is even. A
    connection older than ``max_age`` seconds is closed the same way, so clients also reach a
    worker restarted after the others.
    """

    def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.max_age: float = getattr(config, "cds_connection_max_seconds", 0.0)
        self.counts: Any = getattr(config, "cds_connection_counts", None)
        self.slot: int = getattr(config, "cds_worker_slot", 0)
        self._connected_at = time.monotonic()
        self._counted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._connected_at = time.monotonic()
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.counts is not None:
            self.counts[self.slot] += 1
            self._counted = True
        super().connection_made(transport)  # type: ignore[arg-type]

    def connection_lost(self, exc: Exception | None) -> None:
        if self._counted:
            self.counts[self.slot] -= 1
            self._counted = False
        super().connection_lost(exc)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        cycle = getattr(self, "cycle", None)
        if cycle is None or not cycle.keep_alive:
            return
        if (self.max_age and time.monotonic() - self._connected_at > self.max_age) or self._more_than_my_share():
            cycle.keep_alive = False  # uvicorn answers with "connection: close" and closes after it

    def _more_than_my_share(self) -> bool:
        if self.counts is None:
            return False
        counts = list(self.counts)
        share = -(-sum(counts) // len(counts))  # the even split, rounded up
        now = time.monotonic()
        if counts[self.slot] <= share or now - _last_shed[0] < _SHED_PAUSE:
            return False
        _last_shed[0] = now
        return True


def app_factory() -> object:
    """Uvicorn's factory (one call per worker process; settings come from the environment)."""
    from cds.service.app import create_app

    return create_app(Settings())


def uvicorn_config(settings: Settings, host: str, port: int) -> Any:
    """Forwarded headers (client address, scheme) are believed only from the configured proxies;
    nothing the service decides (``aud``, links) depends on them anyway."""
    import uvicorn

    proxies = ",".join(settings.forwarded_allow_ips)
    config = uvicorn.Config("cds.service.commands:app_factory", factory=True, host=host, port=port,
                            log_level=settings.log_level.lower(), proxy_headers=bool(proxies),
                            forwarded_allow_ips=proxies or None, server_header=False,
                            http=ServiceHttpProtocol, timeout_graceful_shutdown=10)
    config.cds_connection_max_seconds = settings.connection_max_seconds  # type: ignore[attr-defined]
    return config


def _setup_logging(settings: Settings) -> None:
    from cds.service.audit import install_redaction

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_redaction()


def serve(host: str | None = None, port: int | None = None, workers: int | None = None) -> None:
    import uvicorn

    settings = Settings()
    host, port, workers = host or settings.host, port or settings.port, workers or settings.workers
    # The workers (and the default aud / link base) read the address actually served.
    os.environ["CDS_HOST"], os.environ["CDS_PORT"] = host, str(port)
    settings = Settings()
    _setup_logging(settings)
    if workers <= 1:
        uvicorn.Server(uvicorn_config(settings, host, port)).run()
    elif hasattr(socket, "SO_REUSEPORT"):
        _serve_reuseport(host, port, workers)
    else:  # no SO_REUSEPORT (not Linux/BSD): uvicorn's own supervisor, one shared socket
        config = uvicorn_config(settings, host, port)
        config.workers = workers
        sock = config.bind_socket()
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[sock]).run()


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def die_with_parent(parent: int) -> None:
    """Make this worker stop when its supervisor dies, even by ``kill -9``: the kernel sends SIGTERM
    on the parent's death (Linux ``PR_SET_PDEATHSIG``), and a watcher thread checks the parent
    everywhere else (and covers a parent that died before the call)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(1.0)

    threading.Thread(target=watch, name="cds-parent-watch", daemon=True).start()


def _worker(sock: socket.socket, parent: int, ready: Any, counts: Any, slot: int) -> None:
    """One worker process, accepting on its slot's socket (owned by the supervisor); sets ``ready``
    once it serves; keeps its number of open connections in ``counts[slot]`` (shared memory)."""
    import uvicorn

    die_with_parent(parent)
    settings = Settings()
    _setup_logging(settings)
    host, port = sock.getsockname()[:2]
    config = uvicorn_config(settings, host, port)
    config.cds_connection_counts, config.cds_worker_slot = counts, slot  # type: ignore[attr-defined]

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if not self.should_exit:
                ready.set()

    Server(config).run(sockets=[sock])


_MAX_FAILED_STARTS = 3


def _serve_reuseport(host: str, port: int, workers: int) -> None:
    """Several workers, each accepting on a socket of its own on the same port, so the kernel spreads
    the connections over them (uvicorn's supervisor shares one socket: measured, every keep-alive
    connection of an 8-client load went to the same worker and the second one idled).

    The supervisor owns the sockets: a worker that dies leaves its socket open, the connections the
    kernel queues on it wait for the restarted worker instead of being reset, and the restarted
    worker accepts on the same socket (and gets its share of the already-connected clients as their
    connections reach ``CDS_CONNECTION_MAX_SECONDS``). Workers die with the supervisor, even by
    ``kill -9``; SIGINT/SIGTERM stop them all. A worker that dies before it ever served is a
    configuration problem at start-up (everything stops, exit 1), later one that retries a few times."""
    import multiprocessing

    log = logging.getLogger("cds.service")
    ctx = multiprocessing.get_context("spawn")
    stopping = False
    failed_start = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        sockets = [listening_socket(host, port) for _ in range(workers)]
    except OSError as exc:
        log.error("cannot listen on %s:%d: %s", host, port, exc.strerror or exc)
        raise SystemExit(1) from None
    readies = [ctx.Event() for _ in range(workers)]
    counts = ctx.Array("i", workers, lock=False)  # open connections per worker (each writes its own slot)
    failures = [0] * workers
    served = False

    def start(n: int) -> Any:
        readies[n].clear()
        counts[n] = 0  # a dead worker's connections died with it
        process = ctx.Process(target=_worker, args=(sockets[n], os.getpid(), readies[n], counts, n), daemon=False,
                              name=f"cds-worker-{n}")
        process.start()
        return process

    log.info("cds serve: %d workers on http://%s:%d (one socket each, SO_REUSEPORT)", workers, host, port)
    processes = [start(n) for n in range(workers)]
    try:
        while not stopping:
            time.sleep(0.2)
            served = served or any(r.is_set() for r in readies)
            for n, process in enumerate(processes):
                if process.is_alive() or stopping:
                    continue
                if readies[n].is_set():
                    failures[n] = 0
                    log.warning("worker %d (pid %s) exited with code %s; restarting it", n, process.pid,
                                process.exitcode)
                else:
                    failures[n] += 1
                    if not served or failures[n] >= _MAX_FAILED_STARTS:
                        log.error("worker %d exited with code %s before serving; stopping", n, process.exitcode)
                        stopping = failed_start = True
                        break
                    log.warning("worker %d exited with code %s before serving; retrying", n, process.exitcode)
                processes[n] = start(n)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=15)
            if process.is_alive():
                process.kill()
        for sock in sockets:
            sock.close()
    if failed_start:
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
