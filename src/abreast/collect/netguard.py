"""Which network addresses abreast may connect to, enforced where the socket is opened.

Checking a hostname string is not enough: a public-looking name can resolve to 127.0.0.1 or to a
cloud metadata address (169.254.169.254), and a DNS server can answer differently the second time it
is asked (DNS rebinding). So the guard resolves the host itself, refuses the connection if ANY
answer is non-public, and then connects to an address it checked; nothing resolves the name again
between the check and the connect. Redirect hops open new connections, so they pass through the same
gate (reliability.md #2; miniflux does the same in its dialer).
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
from httpcore._backends.base import SOCKET_OPTION

from ..errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

# Ranges the stdlib's is_global does not refuse on Python 3.11 but we must: multicast is "global"
# there, and shared address space (CGNAT) is only excluded from is_global, not marked private.
_ALWAYS_REFUSED: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches localhost on Linux
        "100.64.0.0/10",  # CGNAT shared address space
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, incl. broadcast
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215)
        "ff00::/8",  # IPv6 multicast
    )
)
_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


class AddressRefused(Exception):
    """Raised from inside the connection; the fetcher turns it into a user-facing BlockedAddress."""

    def __init__(self, host: str, address: str, why: str):
        self.host, self.address, self.why = host, address, why
        super().__init__(f"{host} resolves to {address} ({why})")


def parse_allowlist(entries: Iterable[str] | str | None) -> tuple[IPNetwork, ...]:
    """Turn `allow_private` settings ("127.0.0.1", "::1", "10.0.0.0/8") into networks."""
    if entries is None:
        return ()
    if isinstance(entries, str):
        entries = [p for p in entries.split(",")]
    nets = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            nets.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as e:
            raise ConfigError(
                f"fetch.allow_private: {entry!r} is not an IP address or network (write "
                "127.0.0.1, ::1 "
                "or 10.0.0.0/8; host names are not accepted because they can change what they "
                "point to)"
            ) from e
    return tuple(nets)


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address a v6 address really reaches (mapped, NAT64 well-known prefix, 6to4)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _SIX_TO_FOUR:
        return ip.sixtofour
    return None


def refusal_reason(address: str | IPAddress, allow: tuple[IPNetwork, ...] = ()) -> str | None:
    """Why `address` must not be contacted, or None if it is public (or explicitly allowed)."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    if any(ip in net for net in allow if net.version == ip.version):
        return None
    inner = _embedded_ipv4(ip)
    if inner is not None:
        # An IPv4-mapped/NAT64/6to4 address is judged by the IPv4 host it reaches: on an IPv6-only
        # network with DNS64 every ordinary site looks like 64:ff9b::<public v4>.
        why = refusal_reason(inner, allow)
        return f"{why} via {ip}" if why else None
    for label, flag in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("unspecified", ip.is_unspecified),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    ):
        if flag:
            return f"{label} address"
    if any(ip in net for net in _ALWAYS_REFUSED if net.version == ip.version):
        return "non-public address"
    if not ip.is_global:
        return "non-public address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """All addresses the OS resolver gives for host (IP literals come back unchanged)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise httpcore.ConnectError(f"cannot resolve {host}: {e.strerror}") from e
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        addr = str(sockaddr[0])
        if addr not in seen:
            seen.append(addr)
    return seen


def checked_addresses(
    host: str, port: int, allow: tuple[IPNetwork, ...], resolver: Resolver
) -> list[str]:
    """Resolve once and return addresses that are all safe, or raise AddressRefused."""
    host = host.strip("[]")
    addresses = resolver(host, port)
    if not addresses:
        raise httpcore.ConnectError(f"cannot resolve {host}: no addresses")
    for address in addresses:
        why = refusal_reason(address, allow)
        if why:
            raise AddressRefused(host, address, why)
    return addresses


# The fetcher sets the monotonic time by which the current request must finish. Streams read it on
# every socket operation, so a server that drips headers one byte at a time cannot outlive it.
request_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "request_deadline", default=None
)


def _bounded(timeout: float | None, what: type[Exception]) -> float | None:
    deadline = request_deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise what("the total deadline for this request passed")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # server_hostname is the URL's host, so certificates are verified against the name, not the
        # IP.
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)
        )
        return DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:  # whatever the socket reports (httpcore's type)
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """An httpcore network backend that only ever connects to addresses it has checked."""

    def __init__(self, allow: tuple[IPNetwork, ...] = (), resolver: Resolver | None = None):
        self.allow = allow
        self.resolver = resolver or system_resolver
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = checked_addresses(host, port, self.allow, self.resolver)
        last_error: Exception | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    _bounded(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
                return DeadlineStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                last_error = e
        assert last_error is not None
        raise last_error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise AddressRefused(path, path, "unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
