"""The reader's address: forwarded headers believed from trusted proxies only, right-most untrusted hop."""

import time

import pytest
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from masthead.core.client_ip import client_ip, parse_trusted_proxies

CLIENT = "203.0.113.7"
readers = st.sampled_from([CLIENT, "2001:db8::7", "192.168.4.4"])


def request_from(remote_addr: str, forwarded_for: str | None = None, **headers):
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_no_trusted_proxy_means_the_connecting_address_whatever_the_headers(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = []
    assert client_ip(request_from("198.51.100.1", CLIENT)) == "198.51.100.1"


def test_a_trusted_proxy_passes_on_the_client_it_saw(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request_from("127.0.0.1", CLIENT)) == CLIENT


def test_an_untrusted_sender_of_x_forwarded_for_is_its_own_address(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(request_from("198.51.100.9", CLIENT)) == "198.51.100.9"


def test_a_trusted_proxy_without_the_header_is_the_address(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request_from("127.0.0.1")) == "127.0.0.1"


def test_ranges_are_cidr_not_text_prefixes(settings):
    # ipware would take "10.1" as a text prefix; a CIDR range must not trust 10.10.x.x or 10.100.x.x.
    settings.MASTHEAD_TRUSTED_PROXIES = ["10.1.0.0/16"]
    assert client_ip(request_from("10.1.200.3", CLIENT)) == CLIENT
    assert client_ip(request_from("10.10.0.1", CLIENT)) == "10.10.0.1"
    assert client_ip(request_from("10.100.0.1", CLIENT)) == "10.100.0.1"


def test_spoofed_left_most_entries_are_ignored(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    # The client wrote "1.1.1.1, 8.8.8.8" itself; nginx appended the address it really came from.
    assert client_ip(request_from("127.0.0.1", f"1.1.1.1, 8.8.8.8, {CLIENT}")) == CLIENT


def test_a_client_cannot_hide_behind_a_trusted_address_it_writes_itself(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["10.0.0.0/8"]
    # Forged trusted hops left of the client's real address are never reached.
    assert client_ip(request_from("10.0.0.1", f"9.9.9.9, 10.0.0.99, {CLIENT}")) == CLIENT


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.10"]
    # Client -> CDN edge (192.0.2.10) -> load balancer (10.0.0.2) -> nginx (10.0.0.1) -> us.
    chain = f"6.6.6.6, {CLIENT}, 192.0.2.10, 10.0.0.2"
    assert client_ip(request_from("10.0.0.1", chain)) == CLIENT


def test_junk_a_client_writes_does_not_shift_the_answer(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request_from("127.0.0.1", f"not-an-address, unknown, , {CLIENT}")) == CLIENT
    assert client_ip(request_from("127.0.0.1", f"<script>, {CLIENT}")) == CLIENT


def test_when_every_hop_is_trusted_the_furthest_one_is_the_client(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request_from("10.0.0.1", "10.9.9.9, 10.0.0.2")) == "10.9.9.9"


def test_a_private_client_behind_the_proxy_keeps_its_address(settings):
    # ipware on its own prefers a public hop over a private one; an office reader on 192.168.x must not be
    # replaced by a public address it wrote into the header.
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request_from("127.0.0.1", "8.8.8.8, 192.168.1.20")) == "192.168.1.20"


def test_other_forwarding_headers_are_not_believed(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    forged = {
        "HTTP_X_REAL_IP": "6.6.6.6",
        "HTTP_CLIENT_IP": "6.6.6.6",
        "HTTP_CF_CONNECTING_IP": "6.6.6.6",
        "HTTP_FORWARDED": "for=6.6.6.6",
        "HTTP_TRUE_CLIENT_IP": "6.6.6.6",
    }
    assert client_ip(request_from("127.0.0.1", CLIENT, **forged)) == CLIENT
    assert client_ip(request_from("127.0.0.1", **forged)) == "127.0.0.1"
    assert client_ip(request_from("198.51.100.1", **forged)) == "198.51.100.1"


def test_ipv6_proxy_and_client(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["::1", "fd00::/8"]
    assert client_ip(request_from("::1", "2001:db8::1")) == "2001:db8::1"
    assert client_ip(request_from("fd12:3456::1", "2001:db8::66, 2001:db8::1, fd00::2")) == "2001:db8::1"
    assert client_ip(request_from("2001:db8::99", "2001:db8::1")) == "2001:db8::99"


def test_one_ipv6_reader_is_one_address_however_it_is_spelled(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["::1"]
    assert client_ip(request_from("::1", "2001:DB8:0:0:0:0:0:1")) == "2001:db8::1"
    assert client_ip(request_from("::1", "[2001:db8::1]:51234")) == "2001:db8::1"
    assert client_ip(request_from("2001:0DB8::0001")) == "2001:db8::1"


def test_ipv4_mapped_addresses_are_the_ipv4_reader(settings):
    # A dual-stack server reports IPv4 peers as ::ffff:a.b.c.d.
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request_from("::ffff:127.0.0.1", CLIENT)) == CLIENT
    assert client_ip(request_from("::ffff:198.51.100.4")) == "198.51.100.4"
    assert client_ip(request_from("127.0.0.1", f"::ffff:{CLIENT}")) == CLIENT


def test_a_proxy_on_a_unix_socket_is_trusted_only_when_named(settings):
    # gunicorn bound to a Unix socket sets REMOTE_ADDR to "".
    settings.MASTHEAD_TRUSTED_PROXIES = []
    assert client_ip(request_from("", CLIENT)) == ""
    settings.MASTHEAD_TRUSTED_PROXIES = ["unix"]
    assert client_ip(request_from("", CLIENT)) == CLIENT
    assert client_ip(request_from("198.51.100.1", CLIENT)) == "198.51.100.1"


def test_a_long_forged_chain_costs_little(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    chain = ", ".join(f"10.{i // 256 % 256}.{i % 256}.1" for i in range(800)) + f", {CLIENT}"
    started = time.perf_counter()
    assert client_ip(request_from("127.0.0.1", chain)) == CLIENT
    assert time.perf_counter() - started < 0.5


def test_bad_entries_are_named():
    with pytest.raises(ValueError, match="'10.0.0.300'"):
        parse_trusted_proxies(["10.0.0.300"])
    assert parse_trusted_proxies(["UNIX", "10.0.0.5/24"])[0] is True
    assert [str(net) for net in parse_trusted_proxies(["10.0.0.5/24", "::ffff:10.0.0.0/104"])[1]] == [
        "10.0.0.0/24",
        "10.0.0.0/8",
    ]


addresses = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(str),
    st.text(alphabet="0123456789abcdef.:[]-_ xyz=;", max_size=20).filter(lambda text: "," not in text),
)


@given(spoofed=st.lists(addresses, max_size=8), client=readers)
def test_whatever_a_client_writes_it_gets_its_own_address(spoofed, client):
    from django.test import override_settings

    with override_settings(MASTHEAD_TRUSTED_PROXIES=["127.0.0.1", "::1"]):
        header = ", ".join([*spoofed, client])
        assert client_ip(request_from("::1", header)) == client
