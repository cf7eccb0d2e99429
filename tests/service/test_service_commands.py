"""`cds feedback report` and `cds serve` (one end-to-end start over real HTTP)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cds_client import CdsClient
from fastapi.testclient import TestClient
from fhir_double import free_port
from service_helpers import BASE, example, full_prefetch, make_settings

from cds.service.app import create_app
from cds.service.cards import OVERRIDE_REASON_SYSTEM
from cds.service.commands import uvicorn_config
from cds.synthetic.builder import PatientBuilder

CDS = [sys.executable, "-c", "from cds.cli import app; app()"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDS_")}
    env.update(extra)
    return env


def test_feedback_report_text_and_json(tmp_path: Path, examples: dict[str, PatientBuilder]) -> None:
    settings = make_settings(tmp_path, None, dev_disable_auth=True)
    builder = example(examples, "04-")
    with TestClient(create_app(settings), base_url=BASE) as http:
        client = CdsClient(http, BASE)
        card = client.call("bone-mets-rt", CdsClient.hook_body("patient-view", builder.patient_id,
                                                               prefetch=full_prefetch(builder))).json()["cards"][0]
        client.feedback("bone-mets-rt", [{
            "card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-20T10:00:00Z",
            "overrideReason": {"reason": {"system": OVERRIDE_REASON_SYSTEM, "code": "already-planned"}}}])
    env = clean_env(CDS_DATA_DIR=str(settings.data_dir))
    out = subprocess.run([*CDS, "feedback", "report", "--format", "json"], env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    rows = {r["rule"]: r for r in json.loads(out)}
    assert rows["pain.single-fraction"]["overridden"] == 1
    assert rows["pain.single-fraction"]["override_reasons"][0]["reason"] == "Already planned or done"
    text = subprocess.run([*CDS, "feedback", "report"], env=env | {"COLUMNS": "200"}, capture_output=True,
                          text=True, timeout=120, check=True).stdout
    assert "pain.single-fraction" in text and "Already planned or done" in text


class Served:
    """``cds serve`` in a subprocess, its output in a file."""

    def __init__(self, tmp_path: Path, workers: int = 2, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / "serve.log"
        environment = clean_env(CDS_DATA_DIR=str(tmp_path / "data"), HOME=str(tmp_path), **env)
        with self.log.open("w") as out:
            self.proc = subprocess.Popen([*CDS, "serve", "--port", str(self.port), "--workers", str(workers)],
                                         env=environment, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while not self.answers():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                pytest.fail(f"cds serve did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def worker_pids(self, expected: int) -> set[int]:
        """The workers' pids, from fresh connections (the kernel spreads them over the sockets)."""
        seen: set[int] = set()
        deadline = time.monotonic() + 60
        while len(seen) < expected and time.monotonic() < deadline:
            try:
                seen.add(httpx.get(f"{self.base}/healthz", timeout=2).json()["worker"])
            except httpx.HTTPError:
                time.sleep(0.1)
        assert len(seen) == expected, seen
        return seen

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its parent) is dead too
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def test_cds_serve_starts_on_a_fresh_machine_and_its_workers_die_with_it(tmp_path: Path) -> None:
    """Nothing configured but a data folder: auth on (Sandbox trusted), SQLite, two workers that
    share 8 keep-alive clients evenly. Then issue 11 item 8: ``kill -9`` of the supervisor left the
    workers serving."""
    served = Served(tmp_path)
    try:
        base = served.base
        assert httpx.get(f"{base}/healthz").json()["auth"] is True
        assert len(httpx.get(f"{base}/cds-services").json()["services"]) == 3
        response = httpx.post(f"{base}/cds-services/bone-mets-rt", json={})
        assert response.status_code == 401 and response.json()["resourceType"] == "OperationOutcome"
        assert (tmp_path / "data" / "cds.sqlite3").is_file()
        workers = served.worker_pids(2)
        # 8 keep-alive clients end up split evenly (the kernel's hash alone gives 4-4 a third of the time)
        clients = [httpx.Client(base_url=base, timeout=5) for _ in range(8)]
        deadline, split = time.monotonic() + 10, [0]
        while sorted(split) != [4, 4] and time.monotonic() < deadline:
            answered = [client.get("/healthz").json()["worker"] for client in clients]
            split = [answered.count(pid) for pid in workers]
        for client in clients:
            client.close()
        assert sorted(split) == [4, 4], split
        os.kill(served.proc.pid, signal.SIGKILL)
        served.proc.wait(timeout=10)
        deadline = time.monotonic() + 20
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(pid) for pid in workers), "workers outlived their supervisor"
        assert not served.answers()
    finally:
        served.stop()
        for pid in workers if "workers" in locals() else ():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_a_restarted_worker_rejoins_and_the_access_log_hides_report_signatures(
        tmp_path: Path, examples: dict[str, PatientBuilder]) -> None:
    """Issue 11 items 8 and 9: after a worker was killed and restarted, the clients already
    connected never reached it; signed report links were written to the access log in clear."""
    served = Served(tmp_path, CDS_DEV_DISABLE_AUTH="1", CDS_CONNECTION_MAX_SECONDS="1")
    clients = [httpx.Client(base_url=served.base, timeout=5) for _ in range(8)]
    try:
        builder = example(examples, "04-")
        body = CdsClient.hook_body("patient-view", builder.patient_id, prefetch=full_prefetch(builder))
        card = httpx.post(f"{served.base}/cds-services/bone-mets-rt", json=body, timeout=60).json()["cards"][0]
        link = card["links"][0]["url"]
        assert link.startswith(served.base + "/reports/") and httpx.get(link, timeout=30).status_code == 200

        def workers_seen(seconds: float) -> list[set[int]]:
            """Per client, the workers that answered it (keep-alive: one connection while it lasts)."""
            seen: list[set[int]] = [set() for _ in clients]
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                for n, client in enumerate(clients):
                    with contextlib.suppress(httpx.HTTPError):  # the connection to the killed worker
                        seen[n].add(client.get("/healthz").json()["worker"])
                time.sleep(0.05)
            return seen

        before = workers_seen(0.5)
        pids = served.worker_pids(2)
        # kill a worker that leaves some clients connected to the other one (the survivor)
        victim = next(pid for pid in pids if any(seen != {pid} for seen in before))
        survivors = [n for n, seen in enumerate(before) if victim not in seen]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 90
        restarted: set[int] = set()
        while not restarted and time.monotonic() < deadline:  # a new worker, on the victim's socket
            for n in survivors:  # busy: their connections never reach the keep-alive idle timeout
                with contextlib.suppress(httpx.HTTPError):
                    clients[n].get("/healthz")
            with contextlib.suppress(httpx.HTTPError):  # a fresh connection
                restarted = {httpx.get(f"{served.base}/healthz", timeout=1).json()["worker"]} - pids
            time.sleep(0.1)
        assert restarted, "no worker was restarted"
        after = workers_seen(6)
        # clients that never lost their connection reach the restarted worker too (connection max age)
        assert any(restarted & after[n] for n in survivors), (restarted, survivors, after)
    finally:
        for client in clients:
            client.close()
        served.stop()
    log = served.log.read_text()
    signature = link.split("signature=")[1]
    assert signature not in log
    assert re.search(r'127\.0\.0\.1:\d+ - "GET /reports/\w+\?expires=\d+&signature=\[redacted\] HTTP/1\.1" 200',
                     log), log[-2000:]


def test_forwarded_headers_are_believed_only_from_configured_proxies(tmp_path: Path) -> None:
    """Issue 11 item 2: uvicorn believes X-Forwarded-* from 127.0.0.1 unless told otherwise."""
    config = uvicorn_config(make_settings(tmp_path, None), "127.0.0.1", 8080)
    assert config.proxy_headers is False
    proxied = uvicorn_config(make_settings(tmp_path, None, forwarded_allow_ips=["10.0.0.2"]), "127.0.0.1", 8080)
    assert proxied.proxy_headers is True and proxied.forwarded_allow_ips == "10.0.0.2"
