"""Benchmark of the CDS Hooks service: patient-view with full prefetch of the 16 example patients
against a running ``cds serve --workers 2``, at 1 and 8 concurrent clients (``--clients``), next to
a bare FastAPI floor measured in the same run.

Authentication is ON: the benchmark trusts a key it generates (ES384) and signs every request
(fresh ``jti``, ``aud`` = the URL), so JWT verification and the replay cache are measured too.
Tokens and bodies are prepared before each timed phase, so the client's own CPU use is small
(it shares the machine's cores with the service: the numbers are conservative).

Three servers run one after the other, each with the same number of workers and the same HTTP
stack:
- ``floor``: ``bench/floor_app.py``, a bare FastAPI app that parses the same body and answers
  ``{"cards": []}`` (no auth, no evaluation, no database): what serving a request costs at least;
- ``evaluate``: evaluation cache off (``CDS_EVALUATION_CACHE_SECONDS=0``), every call runs the
  full path (JWT → prefetch → record → state → rules → cards → stored before answering);
- ``cached``: the default, identical input within 60 s re-uses the evaluation (cards, links,
  audit and card rows are still produced per call).
Besides latency, the server processes' CPU time per request is read from /proc (Linux).

    python bench/service_bench.py                          # floor, evaluate, cached at 1 and 8 clients
    python bench/service_bench.py --modes floor,evaluate --clients 8 --requests 800 --json out.json
    git archive <commit> | tar -x -C /tmp/before && python bench/service_bench.py --compare /tmp/before --clients 8
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from cds.service.prefetch import prefetch_from_resources
from cds.synthetic.examples import EXAMPLES

ISSUER = "https://bench.example/cds-client"
KID = "bench-es384"
AS_OF = date(2026, 11, 20)
SERVICE_PATH = "/cds-services/bone-mets-rt"


@dataclass
class Level:
    mode: str
    concurrency: int
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    cpu_ms: float = 0.0
    """Server CPU (all its processes) per request."""

    def pct(self, q: float) -> float:
        data = sorted(self.latencies_ms)
        return data[min(len(data) - 1, round(q / 100 * (len(data) - 1)))]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def row(self) -> dict[str, Any]:
        return {"mode": self.mode, "clients": self.concurrency, "requests": self.requests, "errors": self.errors,
                "p50_ms": round(self.pct(50), 1), "p95_ms": round(self.pct(95), 1), "p99_ms": round(self.pct(99), 1),
                "mean_ms": round(statistics.fmean(self.latencies_ms), 1), "rps": round(self.rps, 1),
                "server_cpu_ms": round(self.cpu_ms, 2)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bodies() -> list[bytes]:
    out = []
    for ex in EXAMPLES:
        builder = ex.build(AS_OF)
        out.append(json.dumps({
            "hook": "patient-view", "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "Practitioner/bench", "patientId": builder.patient_id},
            "prefetch": prefetch_from_resources(builder.resources(), builder.patient_id),
        }).encode())
    return out


def process_tree_cpu_seconds(root: int) -> float:
    """User + system CPU of ``root`` and all its descendants so far (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, stack, seen = 0.0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


class Service:
    """``cds serve`` (or the floor app) in a subprocess, configured only through environment variables."""

    def __init__(self, workers: int, cache_seconds: int, key: ec.EllipticCurvePrivateKey, workdir: Path,
                 extra_env: dict[str, str], floor: bool = False) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        jwks = workdir / "bench-jwks.json"
        public = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
        jwks.write_text(json.dumps({"keys": [public | {"kid": KID, "alg": "ES384", "use": "sig"}]}))
        env = {k: v for k, v in os.environ.items() if not k.startswith("CDS_")}
        env.update({
            "CDS_DATA_DIR": str(workdir / f"data-{cache_seconds}"),
            "CDS_TRUSTED_ISSUERS": json.dumps([{"iss": ISSUER, "jwks_file": str(jwks)}]),
            "CDS_PUBLIC_BASE_URL": self.base,
            "CDS_EVALUATION_CACHE_SECONDS": str(cache_seconds),
            "CDS_AS_OF": "2026-11-20T00:00:00Z",
            "CDS_LOG_LEVEL": "warning",
        })
        env.update(extra_env)
        command = ([sys.executable, str(Path(__file__).with_name("floor_app.py"))] if floor
                   else [sys.executable, "-c", "from cds.cli import app; app()", "serve"])
        # cwd: not this checkout, whose folder `python -c` would put before PYTHONPATH (--compare)
        self.proc = subprocess.Popen([*command, "--port", str(self.port), "--workers", str(workers)], env=env,
                                     cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def wait(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("cds serve exited: " + (self.proc.stderr.read() if self.proc.stderr else ""))
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("cds serve did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def tokens(key: ec.EllipticCurvePrivateKey, url: str, n: int) -> list[str]:
    now = int(time.time())
    return [jwt.encode({"iss": ISSUER, "aud": url, "iat": now, "exp": now + 600, "jti": str(uuid.uuid4())}, key,
                       algorithm="ES384", headers={"kid": KID, "typ": "JWT"}) for _ in range(n)]


class Connection:
    """A minimal HTTP/1.1 keep-alive client connection. The benchmark shares the machine's cores with
    the service, so the client must cost little CPU: this one does about a tenth of httpx's work."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reconnects = 0

    async def post(self, path: str, body: bytes, token: str) -> int:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
                f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        self.writer.write(head + body)
        await self.writer.drain()
        header = await self.reader.readuntil(b"\r\n\r\n")
        status = int(header.split(b" ", 2)[1])
        length, closing = 0, False
        for line in header.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                closing = True  # the server spreads its connections: reconnect for the next request
        await self.reader.readexactly(length)
        if closing:
            await self.close()
            self.reconnects += 1
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def run_level(base: str, key: ec.EllipticCurvePrivateKey, payloads: list[bytes], concurrency: int,
                    requests: int, mode: str) -> Level:
    pool = tokens(key, base + SERVICE_PATH, requests)
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))

    async def worker() -> None:
        nonlocal errors
        connection = Connection(host, int(port))
        try:
            for n in counter:
                started = time.perf_counter()
                status = await connection.post(SERVICE_PATH, payloads[n % len(payloads)], pool[n])
                latencies.append((time.perf_counter() - started) * 1000)
                errors += status != 200
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    return Level(mode, concurrency, requests, seconds, latencies, errors)


def table(levels: list[Level]) -> str:
    """One row per mode and concurrency; ratios to the floor at the same concurrency, same run."""
    lines = ["| mode | clients | requests | errors | p50 ms | p95 ms | p99 ms | req/s | server CPU ms/req | "
             "p95 × floor | CPU × floor |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for level in levels:
        floor = next((x for x in levels if x.mode == "floor" and x.concurrency == level.concurrency), None)
        p95_ratio = f"{level.pct(95) / floor.pct(95):.1f}" if floor else "—"
        cpu_ratio = f"{level.cpu_ms / floor.cpu_ms:.1f}" if floor and floor.cpu_ms else "—"
        lines.append(f"| {level.mode} | {level.concurrency} | {level.requests} | {level.errors} | "
                     f"{level.pct(50):.1f} | {level.pct(95):.1f} | {level.pct(99):.1f} | {level.rps:.1f} | "
                     f"{level.cpu_ms:.1f} | {p95_ratio} | {cpu_ratio} |")
    return "\n".join(lines)


def measure(workers: int, cache_seconds: int, key: ec.EllipticCurvePrivateKey, workdir: Path,
            extra: dict[str, str], payloads: list[bytes], concurrency: int, requests: int, mode: str) -> Level:
    """One level against a freshly started service (after the usual warm-up)."""
    workdir.mkdir(parents=True, exist_ok=True)
    service = Service(workers, cache_seconds, key, workdir, extra)
    try:
        service.wait()
        asyncio.run(run_level(service.base, key, payloads, 4, len(payloads) * 4, mode))
        return timed_level(service, key, payloads, concurrency, requests, mode)
    finally:
        service.stop()


def timed_level(service: Service, key: ec.EllipticCurvePrivateKey, payloads: list[bytes], concurrency: int,
                requests: int, mode: str) -> Level:
    """One level, with the server processes' CPU per request."""
    cpu_before = process_tree_cpu_seconds(service.proc.pid)
    level = asyncio.run(run_level(service.base, key, payloads, concurrency, requests, mode))
    level.cpu_ms = (process_tree_cpu_seconds(service.proc.pid) - cpu_before) * 1000 / requests
    return level


def compare(tree: Path, rounds: int, concurrency: int, requests: int, workers: int,
            key: ec.EllipticCurvePrivateKey, payloads: list[bytes], extra: dict[str, str]) -> str:
    """Evaluate mode, served alternately from ``tree`` and from this checkout: the machine's speed
    drifts by tens of per cent over minutes here, so only interleaved rounds compare."""
    here = str(Path(__file__).resolve().parent.parent)
    lines = [f"evaluate mode, {concurrency} clients, {requests} requests per run, {workers} workers; "
             f"before = {tree}, after = this checkout\n",
             "| round | before p50 ms | before p95 ms | before p99 ms | before CPU ms/req | "
             "after p50 ms | after p95 ms | after p99 ms | after CPU ms/req |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory(prefix="cds-bench-") as tmp:
        for n in range(1, rounds + 1):
            cells = []
            for i, source in enumerate((str(tree.resolve()), here)):
                env = extra | {"PYTHONPATH": source + (os.pathsep + os.environ["PYTHONPATH"]
                                                        if os.environ.get("PYTHONPATH") else "")}
                level = measure(workers, 0, key, Path(tmp) / f"{n}-{i}", env, payloads, concurrency, requests,
                                "evaluate")
                cells += [f"{level.pct(50):.1f}", f"{level.pct(95):.1f}", f"{level.pct(99):.1f}",
                          f"{level.cpu_ms:.1f}"]
                print(f"round {n} {'before' if i == 0 else 'after'}: p95 {level.pct(95):.1f} ms", file=sys.stderr)
            lines.append(f"| {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", default="1,8", help="concurrency levels, comma-separated")
    parser.add_argument("--requests", type=int, default=0,
                        help="requests per level (default: 160 for 1 client, 640 otherwise)")
    parser.add_argument("--modes", default="floor,evaluate,cached", help="floor, evaluate and/or cached")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--no-auth", action="store_true", help="run the service with CDS_DEV_DISABLE_AUTH=1")
    parser.add_argument("--redis-url", help="CDS_REDIS_URL for the service (replay cache in Redis)")
    parser.add_argument("--database-url", help="CDS_DATABASE_URL for the service (default: SQLite)")
    parser.add_argument("--compare", type=Path, metavar="TREE",
                        help="A/B instead: the evaluate mode at the first --clients level, alternately served "
                             "from TREE (e.g. `git archive <commit> | tar -x -C TREE`) and from this checkout")
    parser.add_argument("--rounds", type=int, default=3, help="--compare: rounds of (TREE, this checkout)")
    args = parser.parse_args()

    key = ec.generate_private_key(ec.SECP384R1())
    extra = {"CDS_DEV_DISABLE_AUTH": "1"} if args.no_auth else {}
    if args.redis_url:
        extra["CDS_REDIS_URL"] = args.redis_url
        extra["CDS_REDIS_KEY_PREFIX"] = f"cds-bench-{uuid.uuid4().hex[:8]}:"
    if args.database_url:
        extra["CDS_DATABASE_URL"] = args.database_url
    payloads = bodies()
    if args.compare:
        concurrency = int(args.clients.split(",")[0])
        print(compare(args.compare, args.rounds, concurrency, args.requests or 1280, args.workers, key, payloads,
                      extra))
        return
    levels: list[Level] = []
    with tempfile.TemporaryDirectory(prefix="cds-bench-") as tmp:
        for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
            service = Service(args.workers, 0 if mode == "evaluate" else 60, key, Path(tmp), extra,
                              floor=mode == "floor")
            try:
                service.wait()
                # warm-up: every worker loads the rules and sees every patient
                asyncio.run(run_level(service.base, key, payloads, 4, len(payloads) * 4, mode))
                for concurrency in (int(c) for c in args.clients.split(",")):
                    n = args.requests or (160 if concurrency == 1 else 640)
                    level = timed_level(service, key, payloads, concurrency, n, mode)
                    levels.append(level)
                    print(f"{mode:8s} {concurrency:3d} clients: p95 {level.pct(95):7.1f} ms, "
                          f"{level.rps:6.1f} req/s, server CPU {level.cpu_ms:5.1f} ms/req, errors {level.errors}",
                          file=sys.stderr)
            finally:
                service.stop()
    storage = ("PostgreSQL" if args.database_url else "SQLite") + (" + Redis replay cache" if args.redis_url else "")
    auth = "auth off" if args.no_auth else "auth on (ES384)"
    print(f"patient-view, full prefetch of the {len(payloads)} example patients, {args.workers} workers, "
          f"{os.cpu_count()} CPU(s), {auth}, {storage}; floor: bare FastAPI parsing the same body\n")
    print(table(levels))
    if args.json:
        args.json.write_text(json.dumps([level.row() for level in levels], indent=2))


if __name__ == "__main__":
    main()
