"""Which names a request may use to reach the hub: the Host allow-list and the Origin check.

Pure: strings in, booleans out; the caller passes the hub's own names and addresses.

Why: a DNS rebinding page (``http://evil.example:8000``, its name re-pointed at the hub) runs in
a browser on the LAN or on the hub's laptop and talks to the hub as if it were same-origin. Its
requests still carry ``Host: evil.example``, so the hub answers only names it knows: ``localhost``
(and ``*.localhost``, which browsers never ask DNS about), IP addresses that are loopback or the
hub's own, the machine's host name (also as ``NAME.local``), and what ``--allow-host`` adds.
"""

import ipaddress


def ip_of(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address ``text`` names, IPv4-mapped IPv6 (``::ffff:1.2.3.4``) as IPv4; else None."""
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and any loopback address, IPv4-mapped ones included."""
    ip = ip_of(host)
    if ip is None:
        return host.lower().rstrip(".") == "localhost"
    return ip.is_loopback


def address_key(host: str) -> str:
    """One spelling per address (``::ffff:127.0.0.1`` and ``127.0.0.1`` are the same peer)."""
    ip = ip_of(host)
    return str(ip) if ip is not None else host.lower()


def host_of(header: str | None) -> str | None:
    """The host part of a Host header (``Name.example.:8000`` -> ``name.example``,
    ``[::1]:80`` -> ``::1``); None when there is none or it is not a plain host."""
    if not header:
        return None
    value = header.strip()
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or (value[end + 1 :] and not value[end + 1 :].startswith(":")):
            return None
        host = value[1:end]
        if ip_of(host) is None:
            return None
        rest = value[end + 2 :]
    else:
        host, _, rest = value.partition(":")
    if rest and not rest.isdigit():
        return None
    host = host.lower().rstrip(".")
    if not host or any(c in host for c in "/\\@ \t?#%"):
        return None
    return host


class HostAllowList:
    """The names and addresses requests may use. ``"*"`` among the extra names allows any
    (for setups behind a proxy that rewrites Host; it gives up the rebinding defence)."""

    def __init__(self, names=(), addresses=(), extra=()):
        self.any = "*" in extra
        self.names = {"localhost"}
        self.addresses = set()
        for entry in (*names, *extra):
            host = host_of(entry) if entry != "*" else None
            if host is None:
                continue
            ip = ip_of(host)
            if ip is None:
                self.names.add(host)
            elif not ip.is_unspecified:  # 0.0.0.0 is where the hub listens, not a name for it
                self.addresses.add(ip)
        for addr in addresses:
            ip = ip_of(addr)
            if ip is not None and not ip.is_unspecified:
                self.addresses.add(ip)

    def allows(self, host: str | None, local_addr: str | None = None) -> bool:
        """May a request name ``host`` (already split from its port)? ``local_addr`` is the
        address the request arrived on: it is always one of the hub's own."""
        if self.any:
            return True
        if not host:
            return False
        ip = ip_of(host)
        if ip is None:
            return host in self.names or host.endswith(".localhost")
        if ip.is_loopback or ip in self.addresses:
            return True
        return local_addr is not None and ip_of(local_addr) == ip

    def allows_origin(self, origin: str, local_addr: str | None = None) -> bool:
        """An ``Origin`` header (``scheme://host[:port]``) whose host this list allows."""
        scheme, sep, rest = origin.partition("://")
        if not sep or scheme.lower() not in ("http", "https") or "/" in rest:
            return False  # "null" (file:// pages, sandboxed frames) and anything odd
        return self.allows(host_of(rest), local_addr)


def own_names(hostname: str) -> list[str]:
    """The machine's host name as a LAN would spell it: ``box``, ``box.local``, and for
    ``box.lan.example`` also ``box`` and ``box.local``. No DNS lookup (it can hang)."""
    name = hostname.lower().rstrip(".")
    if not name:
        return []
    short = name.split(".", 1)[0]
    return sorted({name, short, f"{short}.local"})
