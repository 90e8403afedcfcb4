"""The guard against server-side request forgery: which addresses are refused, and that a checked
session connects to the checked address only and follows no redirect. Loopback stays refused here
(``allow_loopback`` off) except where a test says it reaches its own server."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parta.core import outbound
from parta.testing.http import Recorded, recording_server

PUBLIC = "93.184.215.14"


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make every name resolve to the given addresses (the system resolver is never asked)."""

    def answer(*addresses: str) -> None:
        monkeypatch.setattr(outbound, "resolve_host", lambda hostname, port: list(addresses))

    answer(PUBLIC)
    return answer


@pytest.mark.parametrize(
    "url",
    [
        # The issue's own: the cloud metadata service, loopback, a private network, IPv6 loopback.
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1/push",
        "https://10.0.0.8/push",
        "https://[::1]/push",
        # Loopback written otherwise: decimal, octal, hexadecimal, short, IPv4-mapped IPv6.
        "https://2130706433/push",
        "https://0177.0.0.1/push",
        "https://0x7f.1/push",
        "https://127.1/push",
        "https://017700000001/push",
        "https://[::ffff:127.0.0.1]/push",
        "https://[::ffff:7f00:1]/push",
        "https://[0:0:0:0:0:0:0:1]/push",
        # A public address is refused too: a push service is named.
        "https://8.8.8.8/push",
        # Not https, not an address, or with credentials in it.
        "http://push.example.org/push",
        "ftp://push.example.org/push",
        "javascript:alert(1)",
        "push.example.org/push",
        "https://user:secret@push.example.org/push",
        "https:///push",
        "",
    ],
)
def test_addresses_refused_however_they_resolve(url: str, resolver: Callable[..., None]) -> None:
    with pytest.raises(outbound.RefusedAddress):
        outbound.check_url(url)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "ff0e::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2001:db8::1",
    ],
)
def test_a_name_resolving_to_a_private_address_is_refused(
    address: str, resolver: Callable[..., None]
) -> None:
    resolver(address)
    with pytest.raises(outbound.RefusedAddress, match="public internet"):
        outbound.check_url("https://push.example.org/push")
    # One bad address among good ones is enough: the resolver may answer with either next time.
    resolver(PUBLIC, address)
    with pytest.raises(outbound.RefusedAddress):
        outbound.check_url("https://push.example.org/push")


def test_a_public_name_is_accepted_and_pinned_to_its_first_address(resolver: Callable[..., None]) -> None:
    resolver(PUBLIC, "2a00:1450:4001:82b::200e")
    target = outbound.check_url("https://fcm.googleapis.com:443/fcm/send/abc")
    assert target == outbound.Target(
        url="https://fcm.googleapis.com:443/fcm/send/abc",
        hostname="fcm.googleapis.com",
        port=443,
        address=PUBLIC,
    )


def test_loopback_is_allowed_only_when_asked_and_private_addresses_never(
    resolver: Callable[..., None],
) -> None:
    assert outbound.check_url("http://127.0.0.1:8080/p", allow_loopback=True).address == "127.0.0.1"
    resolver("127.0.0.1")
    assert outbound.check_url("http://push.test/p", allow_loopback=True).address == "127.0.0.1"
    for url in ("http://10.0.0.1/p", "https://169.254.169.254/p"):
        with pytest.raises(outbound.RefusedAddress):
            outbound.check_url(url, allow_loopback=True)
    resolver(PUBLIC)
    with pytest.raises(outbound.RefusedAddress):
        outbound.check_url("http://push.test/p", allow_loopback=True)  # plain http to the internet


def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(outbound.RefusedAddress, match="cannot be found"):
        outbound.check_url("https://push.invalid/p")


@given(st.ip_addresses())
def test_every_address_in_a_non_public_network_is_refused(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    networks = [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::1/128",
        "::/128",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    ]
    if any(
        ip in ipaddress.ip_network(network)
        for network in networks
        if ip.version == ipaddress.ip_network(network).version
    ):
        assert not outbound.is_public(ip)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        assert outbound.is_public(ip) is False or outbound.is_public(ip.ipv4_mapped)


# --- the session ---------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[tuple[Recorded, int]]:
    with recording_server() as seen:
        yield seen, seen.port


def test_the_session_connects_to_the_checked_address_whatever_the_name_resolves_to_later(
    server: tuple[Recorded, int], resolver: Callable[..., None]
) -> None:
    seen, port = server
    resolver("127.0.0.1")
    url = f"http://push.invalid:{port}/p"  # the system resolver knows no such name
    session = outbound.pinned_session(url, allow_loopback=True)
    resolver("10.0.0.1")  # the name now points elsewhere: the session does not ask again
    assert session.post(url, data=b"x", timeout=5).status_code == 204
    assert [path for path, _headers, _body in seen.requests] == ["/p"]
    assert seen.requests[0][1]["host"] == f"push.invalid:{port}"
    with pytest.raises(outbound.RefusedAddress):
        session.post(f"http://127.0.0.1:{port}/other", data=b"x", timeout=5)
    assert len(seen.requests) == 1


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_the_session_follows_no_redirect(server: tuple[Recorded, int], status: int) -> None:
    seen, port = server
    seen.statuses = [status]
    seen.location = f"http://127.0.0.1:{port}/elsewhere"
    url = f"http://127.0.0.1:{port}/p"
    response = outbound.pinned_session(url, allow_loopback=True).post(url, data=b"x", timeout=5)
    assert response.status_code == status
    assert [path for path, _headers, _body in seen.requests] == ["/p"]


def _certificate(tmp_path: Any, name: str) -> tuple[str, str]:
    """A self-signed certificate for ``name`` and its key, as PEM files."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_file), str(key_file)


def test_tls_to_the_pinned_address_still_checks_the_certificate_against_the_name(
    resolver: Callable[..., None], tmp_path: Any
) -> None:
    import requests

    good, good_key = _certificate(tmp_path, "push.test")
    with recording_server(default=201, tls=(good, good_key)) as seen:
        resolver("127.0.0.1")
        url = f"https://push.test:{seen.port}/p"
        session = outbound.pinned_session(url, allow_loopback=True)
        assert session.post(url, data=b"x", timeout=5, verify=good).status_code == 201
        assert seen.requests[-1][1]["host"] == f"push.test:{seen.port}"
        # A certificate that does not name the host is refused, as it would be without the pinning.
        elsewhere = f"https://elsewhere.test:{seen.port}/p"
        with pytest.raises(requests.exceptions.SSLError):
            outbound.pinned_session(elsewhere, allow_loopback=True).post(
                elsewhere, data=b"x", timeout=5, verify=good
            )
