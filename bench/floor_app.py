"""The floor of the service benchmark: a bare FastAPI app that parses the same request body and
answers ``{"cards": []}``, served exactly like ``cds serve`` (uvicorn with httptools, the service's
HTTP protocol, one SO_REUSEPORT socket per worker process). What the service costs beyond it is
what the CDS Hooks work costs.

    python bench/floor_app.py --port 8099 --workers 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import socket
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response


def make_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/cds-services/{service_id}")
    async def hook(service_id: str, request: Request) -> Response:
        body = orjson.loads(await request.body())
        if not isinstance(body, dict):
            return Response(b'{"error": "not an object"}', status_code=400, media_type="application/json")
        return Response(b'{"cards":[]}', media_type="application/json")

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "worker": os.getpid()}

    return app


def _worker(sock: socket.socket, counts: Any, slot: int) -> None:
    import uvicorn

    from cds.service.commands import ServiceHttpProtocol

    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(make_app(), host=host, port=port, log_level="warning", server_header=False,
                            http=ServiceHttpProtocol, access_log=False)
    config.cds_connection_counts, config.cds_worker_slot = counts, slot  # type: ignore[attr-defined]
    uvicorn.Server(config).run(sockets=[sock])


def main() -> None:
    from cds.service.commands import listening_socket

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    sockets = [listening_socket(args.host, args.port) for _ in range(args.workers)]
    counts = ctx.Array("i", args.workers, lock=False)  # the same even spread of connections as cds serve
    processes = [ctx.Process(target=_worker, args=(sock, counts, n)) for n, sock in enumerate(sockets)]
    for process in processes:
        process.start()

    def stop(*_: object) -> None:
        for process in processes:
            process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for process in processes:
        process.join()


if __name__ == "__main__":
    main()
