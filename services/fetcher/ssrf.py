"""SSRF guard: a feed or a redirect must not make us fetch from the inside of our own network.

The host is resolved first and every address it resolves to is checked, so a public name that points
at 10.0.0.1 is refused as surely as the literal. `GuardedNetworkBackend` repeats the check at connect
time and connects to the address it checked, which closes the DNS-rebinding gap between the two.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

import httpcore

from ..errors import PermanentError, RetryableError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_DEFAULT_PORTS = {"http": 80, "https": 443}


class BlockedAddress(PermanentError):
    """The URL's host is, or resolves to, an address we refuse to contact."""

    def __init__(self, host: str, address: str, why: str) -> None:
        super().__init__(f"{host} resolves to {address} ({why}): refused")
        self.host = host
        self.address = address
        self.why = why


class UnresolvableHost(RetryableError, OSError):
    """DNS gave no address; usually transient, so it is not a BlockedAddress."""


def _why_blocked(address: IPAddress) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _why_blocked(address.ipv4_mapped)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("private", address.is_private),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("not globally routable", not address.is_global),
    )
    for why, hit in checks:
        if hit:
            return why
    return None


class SsrfGuard:
    """Refuses non-public addresses unless an address or network in `allow` contains them."""

    def __init__(self, allow: Sequence[str] = ()) -> None:
        self._allow: list[IPNetwork] = [ipaddress.ip_network(item.strip(), strict=False) for item in allow]

    def is_allowed_address(self, address: IPAddress) -> bool:
        if any(address in network for network in self._allow):
            return True
        return _why_blocked(address) is None

    def check_address(self, host: str, address: IPAddress) -> None:
        if any(address in network for network in self._allow):
            return
        why = _why_blocked(address)
        if why is not None:
            raise BlockedAddress(host, str(address), why)

    async def resolve(self, host: str, port: int) -> list[str]:
        """All addresses of `host`, each checked; raises if any is refused."""
        host = host.strip("[]")
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            self.check_address(host, literal)
            return [str(literal)]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise UnresolvableHost(f"cannot resolve {host}: {exc}") from None
        addresses = _unique(str(info[4][0]) for info in infos)
        if not addresses:
            raise UnresolvableHost(f"cannot resolve {host}: no address")
        for text in addresses:
            self.check_address(host, ipaddress.ip_address(text.split("%")[0]))
        return addresses

    async def check(self, url: str) -> None:
        parts = urlsplit(url)
        if not parts.hostname:
            raise BlockedAddress(url, "", "no host")
        try:
            port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 80)
        except ValueError:
            raise BlockedAddress(parts.hostname, "", "invalid port") from None
        await self.resolve(parts.hostname, port)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses the guard has just approved (TLS still verifies the host name)."""

    def __init__(self, guard: SsrfGuard, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._guard = guard
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._guard.resolve(host, port)
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
