"""The client's IP address for rate limiting, honouring proxies only when they are trusted.

``X-Forwarded-For`` and ``Forwarded`` are trivially forged by clients, so they are read only
when the TCP peer is one of ``trusted_proxies``; then the right-most hop that is not itself a
trusted proxy is the client (every hop to its right was added by our own proxies). When both
headers arrive, ``Forwarded`` is the one read: a proxy that sets ``X-Forwarded-For`` instead
must strip a client's ``Forwarded`` header (nginx: ``proxy_set_header Forwarded "";``).

This runs on every session and protocol request, and ``ipaddress`` parsing is its cost (~2 µs
an address): the peer's trust is cached (it is the same few proxies request after request), and
each hop is parsed once, for both its canonical text and its trust (13 µs -> ~4 µs, issue 16).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from starlette.datastructures import Headers
from starlette.types import Scope

from tutorgpt_asgi.settings import IPNetwork

# A ``for=`` parameter of RFC 7239: a token or a quoted string (IPv6 in brackets, maybe a port).
_FORWARDED_FOR = re.compile(r'for\s*=\s*("[^"]*"|[^;,\s]+)', re.IGNORECASE)
# ``[v6]:port`` / ``[v6]`` / ``v4:port``: the address without brackets or port.
_HOP = re.compile(r"^\[(?P<v6>[^\]]+)\](?::\d*)?$|^(?P<v4>[^:]+):\d*$")


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _in(address: Address | None, trusted: tuple[IPNetwork, ...]) -> bool:
    return address is not None and any(address in network for network in trusted)


@lru_cache(maxsize=1024)  # bounded: peers are the proxies, or every client when none is in front
def _peer_trusted(peer: str, trusted: tuple[IPNetwork, ...]) -> bool:
    return _in(_hop(peer)[1], trusted)


def _forwarded_hops(headers: Headers) -> list[tuple[str, Address | None]]:
    """Hops, client first: from ``Forwarded`` when present, else from ``X-Forwarded-For``.

    ``Forwarded`` wins because a proxy that speaks RFC 7239 passes a client's own
    ``X-Forwarded-For`` through untouched: reading that first let any client pick its bucket.
    """
    forwarded = ",".join(headers.getlist("forwarded"))
    if forwarded.strip():
        return [_hop(match.strip('"')) for match in _FORWARDED_FOR.findall(forwarded)]
    forwarded_for = ",".join(headers.getlist("x-forwarded-for"))
    return [_hop(hop) for hop in forwarded_for.split(",") if hop.strip()]


def _hop(hop: str) -> tuple[str, Address | None]:
    """One address per client, parsed once: its canonical text, and the address itself
    (``None`` for ``unknown`` or an obfuscated id, which RFC 7239 allows and which are kept as
    given). Ports are dropped, brackets removed, IPv6 written canonically: without this,
    ``203.0.113.9:1`` and ``203.0.113.9:2`` (or two spellings of one IPv6 address) were
    separate rate-limit buckets.
    """
    hop = hop.strip()
    match = _HOP.match(hop)
    if match:
        hop = match.group("v6") or match.group("v4")
    try:
        address = ipaddress.ip_address(hop)
    except ValueError:
        return hop, None
    # IPv4 has one spelling ``ipaddress`` accepts (no leading zeros), so only IPv6 is rewritten.
    return (hop if address.version == 4 else str(address)), address


def client_ip(scope: Scope, trusted: tuple[IPNetwork, ...]) -> str:
    """The address to rate-limit: the peer, or the first untrusted hop behind trusted proxies."""
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    if not trusted or not _peer_trusted(peer, trusted):
        return peer
    hops = _forwarded_hops(Headers(scope=scope))
    for text, address in reversed(hops):
        if not _in(address, trusted):
            return text
    return hops[0][0] if hops else peer
