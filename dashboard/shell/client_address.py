"""The browser's address, as far as the server can trust it.

Only a configured proxy (`TRUSTED_PROXIES`, e.g. nginx at 127.0.0.1) may say who
its client is, through `X-Forwarded-For`. The proxy's own address and loopback are
never a client: counting failures by them would let one attacker lock everyone out.
"""

from __future__ import annotations

import ipaddress

__all__ = ["client_address"]


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: tuple[str, ...]
) -> str | None:
    """The client's address reported by a trusted proxy, or None.

    `peer` is the connection's address (None: loopback, as Streamlit reports it);
    `forwarded_for` the X-Forwarded-For header; `trusted` the proxies' addresses.
    """
    proxies = {a for a in (_address(p) for p in trusted) if a is not None}
    here = _address(peer) if peer else ipaddress.ip_address("127.0.0.1")
    if here is None or here not in proxies or not forwarded_for:
        return None
    # The right-most entry that is not one of our proxies is the one a proxy of ours saw.
    for hop in reversed(forwarded_for.split(",")):
        found = _address(hop)
        if found is None:
            return None
        if found in proxies:
            continue
        if found.is_loopback or found.is_unspecified:
            return None
        return str(found)
    return None
