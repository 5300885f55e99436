"""The client's IP address for rate limiting, honouring proxies only when they are trusted.

``X-Forwarded-For`` and ``Forwarded`` are trivially forged by clients, so they are read only
when the TCP peer is one of ``trusted_proxies``; then the right-most hop that is not itself a
trusted proxy is the client (every hop to its right was added by our own proxies). When both
headers arrive, ``Forwarded`` is the one read: a proxy that sets ``X-Forwarded-For`` instead
must strip a client's ``Forwarded`` header (nginx: ``proxy_set_header Forwarded "";``).
"""

from __future__ import annotations

import ipaddress
import re

from starlette.datastructures import Headers
from starlette.types import Scope

from tutorgpt_asgi.settings import IPNetwork

# A ``for=`` parameter of RFC 7239: a token or a quoted string (IPv6 in brackets, maybe a port).
_FORWARDED_FOR = re.compile(r'for\s*=\s*("[^"]*"|[^;,\s]+)', re.IGNORECASE)
# ``[v6]:port`` / ``[v6]`` / ``v4:port``: the address without brackets or port.
_HOP = re.compile(r"^\[(?P<v6>[^\]]+)\](?::\d*)?$|^(?P<v4>[^:]+):\d*$")


def _is_trusted(address: str, trusted: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def _forwarded_hops(headers: Headers) -> list[str]:
    """Hops, client first: from ``Forwarded`` when present, else from ``X-Forwarded-For``.

    ``Forwarded`` wins because a proxy that speaks RFC 7239 passes a client's own
    ``X-Forwarded-For`` through untouched: reading that first let any client pick its bucket.
    """
    forwarded = ",".join(headers.getlist("forwarded"))
    if forwarded.strip():
        return [normalise_hop(match.strip('"')) for match in _FORWARDED_FOR.findall(forwarded)]
    forwarded_for = ",".join(headers.getlist("x-forwarded-for"))
    return [normalise_hop(hop) for hop in forwarded_for.split(",") if hop.strip()]


def normalise_hop(hop: str) -> str:
    """One address per client: ports dropped, brackets removed, IPs in canonical form.

    Without this, ``203.0.113.9:1`` and ``203.0.113.9:2`` (or two spellings of one IPv6
    address) were separate rate-limit buckets.
    """
    hop = hop.strip()
    match = _HOP.match(hop)
    if match:
        hop = match.group("v6") or match.group("v4")
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return hop  # "unknown" or an obfuscated id (RFC 7239 allows both): kept as given


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
