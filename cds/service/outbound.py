"""Where the service may send a client's FHIR access token: the allowed FHIR servers of each trusted
client, and a network layer that connects only to addresses those servers may have.

A hook call names its ``fhirServer``; without a check the service would call any URL an
authenticated client names (cloud metadata at 169.254.169.254, a database on 10.x, ``[::1]``) and
send it the client's access token. So:

- the URL must start with one of the client's configured ``fhir_servers`` (scheme, host, port and
  path prefix; no user info, no encoded dots or slashes) — checked for every request, ``next``
  links included, before anything is sent;
- the host is resolved at connection time and *every* address must be public or inside the
  client's ``fhir_private_networks``; the connection then goes to the address that was checked
  (no second lookup that DNS rebinding could answer differently). TLS still verifies the host name.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

_ENCODED_PATH_TRICKS = ("%2e", "%2f", "%5c", "\\")


@dataclass(frozen=True)
class _Prefix:
    scheme: str
    host: str
    port: int
    path: str

    def covers(self, other: _Prefix) -> bool:
        if (self.scheme, self.host, self.port) != (other.scheme, other.host, other.port):
            return False
        base = self.path.rstrip("/")
        return not base or other.path == base or other.path.startswith(base + "/")


def _prefix(url: str) -> _Prefix | None:
    """Scheme, host, port and path of an http(s) URL; None for anything else (or anything odd)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return None
    if any(trick in parts.path.lower() for trick in _ENCODED_PATH_TRICKS):
        return None
    return _Prefix(parts.scheme, parts.hostname.lower().rstrip("."), port or (443 if parts.scheme == "https" else 80),
                   parts.path or "/")


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address (IPv4 inside IPv6 judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast


class OutboundPolicy:
    """One client's allowed FHIR servers and the non-public networks they may resolve to."""

    def __init__(self, servers: Iterable[str] = (), private_networks: Iterable[str] = ()) -> None:
        self.servers: list[_Prefix] = []
        for server in servers:
            prefix = _prefix(server)
            if prefix is None:
                raise ValueError(f"allowed FHIR server {server!r} is not an http(s) URL")
            self.servers.append(prefix)
        self.networks: list[Network] = [ipaddress.ip_network(n, strict=False) for n in private_networks]

    def allows_url(self, url: str) -> bool:
        prefix = _prefix(url)
        return prefix is not None and any(allowed.covers(prefix) for allowed in self.servers)

    def allows_address(self, address: IPAddress) -> bool:
        return is_public(address) or any(address in network for network in self.networks)


async def resolve(host: str, port: int) -> list[str]:
    """Every address of ``host`` (an IP literal resolves to itself)."""
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class RefusedAddress(httpcore.ConnectError):
    pass


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network layer with the address check: resolve once, check every address, connect
    to a checked one."""

    def __init__(self, policy: OutboundPolicy, resolver: Resolver = resolve) -> None:
        self.policy = policy
        self.resolver = resolver
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                names = await self.resolver(host, port)
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {type(exc).__name__}") from None
        addresses = [ipaddress.ip_address(name.split("%", 1)[0]) for name in names]
        refused = [a for a in addresses if not self.policy.allows_address(a)]
        if not addresses or refused:
            raise RefusedAddress(f"{host} resolves to a non-public address ({', '.join(map(str, refused))})")
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(str(address), port, timeout=timeout,
                                                    local_address=local_address, socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not FHIR servers")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def guarded_client(policy: OutboundPolicy, timeout: float, resolver: Resolver = resolve) -> httpx.AsyncClient:
    """An httpx client whose connections pass the address check; no proxy from the environment (a
    proxy would resolve the name itself), no redirects."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx has no public way to choose httpcore's network backend: the pool is rebuilt with ours.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=GuardedBackend(policy, resolver),
        max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
    return httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False, trust_env=False)
