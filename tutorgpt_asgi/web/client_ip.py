"""The client's IP address for rate limiting, honouring proxies only when they are trusted.

``X-Forwarded-For`` and ``Forwarded`` are trivially forged by clients, so they are read only
when the TCP peer is one of ``trusted_proxies``; then the right-most hop that is not itself a
trusted proxy is the client (every hop to its right was added by our own proxies).
"""

from __future__ import annotations

import ipaddress
import re

from starlette.datastructures import Headers
from starlette.types import Scope

from tutorgpt_asgi.settings import IPNetwork

_FORWARDED_FOR = re.compile(r'for=(?:"?\[?)([^";,\]\s]+)', re.IGNORECASE)


def _is_trusted(address: str, trusted: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def _forwarded_hops(headers: Headers) -> list[str]:
    """Hops from ``X-Forwarded-For`` (preferred) or ``Forwarded``, client first."""
    forwarded_for = ",".join(headers.getlist("x-forwarded-for"))
    if forwarded_for.strip():
        return [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    forwarded = ",".join(headers.getlist("forwarded"))
    return [_strip_port(match) for match in _FORWARDED_FOR.findall(forwarded)]


def _strip_port(hop: str) -> str:
    if hop.count(":") == 1:  # IPv4 with a port; bare IPv6 has several colons
        return hop.split(":", 1)[0]
    return hop


def client_ip(scope: Scope, trusted: tuple[IPNetwork, ...]) -> str:
    """The address to rate-limit: the peer, or the first untrusted hop behind trusted proxies."""
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = _forwarded_hops(Headers(scope=scope))
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer
