"""The one place that decides a reader's network address, believing forwarded headers only from our proxies.

Rate limits (sign-in links, comments) and the IP hashes stored on comments and reports all key on it.
Behind nginx every connection comes from nginx, so without `MASTHEAD_TRUSTED_PROXIES` the whole site would
share one address; with it, a header any client can write would let one reader pose as many.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from ipware import get_client_ip

# The entry of MASTHEAD_TRUSTED_PROXIES that trusts a proxy talking to us over a Unix socket, where the WSGI
# server has no address to give (gunicorn sets REMOTE_ADDR to "").
UNIX_SOCKET = "unix"

# More hops than any real deployment has; bounds the work a long forged chain can cause.
MAX_PROXY_HOPS = 16

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(entries) -> tuple[bool, tuple[IpNetwork, ...]]:
    """(trust a Unix-socket sender, trusted networks) from the setting's entries; ValueError on a bad one."""
    networks = []
    for entry in entries:
        if entry.lower() == UNIX_SOCKET:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address, a CIDR range (10.0.0.0/8, fd00::/8) or {UNIX_SOCKET!r}"
            ) from None
        networks.append(_unwrap_network(network))
    return any(entry.lower() == UNIX_SOCKET for entry in entries), tuple(networks)


@lru_cache(maxsize=4)
def _trusted(entries: tuple[str, ...]) -> tuple[bool, tuple[IpNetwork, ...]]:
    return parse_trusted_proxies(entries)


def _unwrap(address: IpAddress) -> IpAddress:
    # A dual-stack server reports an IPv4 peer as ::ffff:a.b.c.d; one reader must have one address.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _unwrap_network(network: IpNetwork) -> IpNetwork:
    mapped = ipaddress.IPv6Network("::ffff:0:0/96")
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96 and network.subnet_of(mapped):
        return ipaddress.IPv4Network((int(network.network_address) & 0xFFFFFFFF, network.prefixlen - 96))
    return network


def _parse(text: str) -> IpAddress | None:
    try:
        return _unwrap(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def _in(address: IpAddress, networks: tuple[IpNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(request) -> str:
    """The address of the reader who sent `request`, as text ("" when the server gave none).

    X-Forwarded-For is read only when the connection comes from a trusted proxy. Each proxy appends the
    address it received the request from, so everything left of the last entry our proxies wrote is the
    client's own say-so: the reader is the right-most entry that is not one of our proxies.
    """
    trust_unix, networks = _trusted(tuple(settings.MASTHEAD_TRUSTED_PROXIES))
    sender_text = request.META.get("REMOTE_ADDR", "")
    sender = _parse(sender_text)
    sender_trusted = _in(sender, networks) if sender is not None else trust_unix
    if not sender_trusted:
        return str(sender) if sender is not None else sender_text
    # django-ipware parses the chain (ports, brackets, IPv4-mapped IPv6, junk entries). Its own proxy list is
    # positional (one entry per hop, matched in order, the connecting proxy never checked), so it cannot say
    # "any of these ranges"; `proxy_count=hops` instead asks it for the entry `hops` places from the right.
    nearest = None
    for hops in range(MAX_PROXY_HOPS):
        found, _routable = get_client_ip(
            request,
            proxy_count=hops,
            request_header_order=("HTTP_X_FORWARDED_FOR",),
            strict=False,
            algorithm="modern",
        )
        address = _parse(found) if found else None
        if address is None:
            break
        nearest = address
        if not _in(address, networks):
            return str(address)
    # Every hop was one of our proxies (an internal caller): the furthest one named is the best we know.
    if nearest is not None:
        return str(nearest)
    return str(sender) if sender is not None else sender_text
