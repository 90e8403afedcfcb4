"""Requests the platform makes to an address a user gave it (a browser's push service): the guard
against server-side request forgery.

``check_url`` is the one check, made when the address is saved and again before each request: the
address must be https, must name a host (no IP literal in any notation: ``2130706433``,
``0177.0.0.1``, ``[::ffff:127.0.0.1]``), and every address the name resolves to must be on the
public internet (no private, loopback, link-local, multicast, reserved, unspecified or shared
100.64/10 address, nor one of those inside an IPv6 address). ``pinned_session`` then connects to
the very address that was checked, so a name that resolves elsewhere a moment later (DNS
rebinding) is not followed there, and it follows no redirect and uses no proxy from the
environment.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# 64:ff9b::/96 (RFC 6052) carries an IPv4 address in its last 32 bits for NAT64 gateways.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_url_validator = URLValidator(schemes=["https", "http"])


class RefusedAddress(ValueError):
    """The address may not be contacted; the message says why, in the active language."""


@dataclass(frozen=True)
class Target:
    """A checked address: the URL, its host name and port, and the one IP address to connect to."""

    url: str
    hostname: str
    port: int
    address: str


def resolve_host(hostname: str, port: int) -> list[str]:
    """Every address ``hostname`` resolves to now (the system resolver); tests replace this."""
    try:
        answers = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedAddress(_("The host %(host)s cannot be found.") % {"host": hostname}) from error
    return [str(sockaddr[0]) for _family, _type, _proto, _name, sockaddr in answers]


def _literal(host: str) -> IPAddress | None:
    """The IP address ``host`` writes in any notation the resolver would accept, or None for a name."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    try:
        # inet_aton reads what getaddrinfo would: 2130706433, 0x7f.1, 0177.0.0.1, 127.1.
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def _embedded(ip: IPAddress) -> list[IPAddress]:
    """``ip`` and the IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64)."""
    found: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            found.append(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            found.append(ip.sixtofour)
        if ip.teredo is not None:
            found.extend(ip.teredo)
        if ip in _NAT64:
            found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_public(ip: IPAddress) -> bool:
    """Whether ``ip`` (and every address inside it) is a unicast address of the public internet."""
    return all(
        one.is_global
        and not (
            one.is_private
            or one.is_loopback
            or one.is_link_local
            or one.is_multicast
            or one.is_reserved
            or one.is_unspecified
        )
        for one in _embedded(ip)
    )


def _allowed(ip: IPAddress, allow_loopback: bool) -> bool:
    return is_public(ip) or (allow_loopback and ip.is_loopback)


def check_url(url: str, *, allow_loopback: bool = False) -> Target:
    """The target to connect to for ``url``, or RefusedAddress. ``allow_loopback`` lets tests reach
    a server of their own on 127.0.0.1 (over http too); it is never on in production."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        _url_validator(url)
    except (ValueError, ValidationError) as error:
        raise RefusedAddress(_("Enter a full https:// address.")) from error
    hostname = parts.hostname or ""
    if parts.username is not None or parts.password is not None or not hostname:
        raise RefusedAddress(_("Enter a full https:// address."))
    literal = _literal(hostname)
    if literal is not None and not (allow_loopback and literal.is_loopback):
        raise RefusedAddress(_("Give the host by its name, not by an IP address."))
    if literal is not None:
        addresses: list[IPAddress | None] = [literal]
    else:
        addresses = [_literal(address) for address in resolve_host(hostname, port)]
    refused = [str(ip) for ip in addresses if ip is None or not _allowed(ip, allow_loopback)]
    if refused or not addresses:
        raise RefusedAddress(
            _("The host %(host)s is not on the public internet (%(addresses)s).")
            % {"host": hostname, "addresses": ", ".join(refused)}
        )
    # Plain http only to a test's own server: every address is loopback and loopback is allowed.
    if parts.scheme != "https" and not all(ip is not None and ip.is_loopback for ip in addresses):
        raise RefusedAddress(_("Enter a full https:// address."))
    return Target(url=url, hostname=hostname, port=port, address=str(addresses[0]))


class _PinnedAdapter(HTTPAdapter):
    """Connects to the target's checked address, whatever the name resolves to now; TLS still
    checks the certificate against the host name, and the Host header still names it."""

    def __init__(self, target: Target) -> None:
        super().__init__(max_retries=0)
        self._target = target

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        host_params["host"] = self._target.address
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self._target.hostname
            pool_kwargs["assert_hostname"] = self._target.hostname
        return host_params, pool_kwargs

    def add_headers(self, request: requests.PreparedRequest, **kwargs: Any) -> None:
        request.headers["Host"] = urlsplit(self._target.url).netloc


class PinnedSession(requests.Session):
    """A session that sends to one checked target only: no redirect is followed (a 3xx is the
    answer), no proxy or .netrc from the environment is used."""

    def __init__(self, target: Target) -> None:
        super().__init__()
        self._target = target
        self.trust_env = False
        adapter = _PinnedAdapter(target)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if not isinstance(url, str) or url != self._target.url:
            raise RefusedAddress(_("Enter a full https:// address."))
        kwargs["allow_redirects"] = False
        verb = method if isinstance(method, str) else method.decode()
        return super().request(verb, url, *args, **kwargs)


def pinned_session(url: str, *, allow_loopback: bool = False) -> PinnedSession:
    """Check ``url`` now (resolving its host again) and a session that connects only to the checked
    address; RefusedAddress when it may not be contacted."""
    return PinnedSession(check_url(url, allow_loopback=allow_loopback))
