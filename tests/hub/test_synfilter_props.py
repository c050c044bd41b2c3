"""The socket filter's builder (hub/synfilter.py), property-tested: any set of addresses within
the cap gives a program the kernel accepts (size, jumps in range, ends in a return) that drops
exactly the packets from those addresses, run here on a small interpreter of the instructions
it uses (the real-socket tests are in test_kernel_drop.py)."""

import ipaddress
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub import synfilter as sf

v4 = st.ip_addresses(v=4).map(str)
v6 = st.ip_addresses(v=6).map(str)
addresses = st.lists(st.one_of(v4, v6), max_size=sf.MAX_ADDRS, unique=True)


def net_offset(k: int) -> int:
    assert k >= (sf.SKF_NET_OFF & 0xFFFFFFFF), "every load reads the IP header"
    return k - (sf.SKF_NET_OFF & 0xFFFFFFFF)


def run(program, header: bytes) -> int:
    """What the program returns for a packet whose IP header is ``header``."""
    a, pc = 0, 0
    while True:
        code, jt, jf, k = program[pc]
        pc += 1
        if code == sf.LD_B_ABS:
            a = header[net_offset(k)]
        elif code == sf.LD_W_ABS:
            a = struct.unpack_from("!I", header, net_offset(k))[0]
        elif code == sf.RSH_K:
            a >>= k
        elif code == sf.JEQ_K:
            pc += jt if a == k else jf
        elif code == sf.JA:
            pc += k
        elif code == sf.RET_K:
            return k
        else:
            raise AssertionError(f"unexpected opcode {code:#x}")


def header_from(addr: str) -> bytes:
    ip = ipaddress.ip_address(addr)
    if ip.version == 6 and ip.ipv4_mapped is not None:  # such packets carry an IPv4 header
        ip = ip.ipv4_mapped
    if ip.version == 4:  # version/IHL, ..., source at 12, destination at 16
        return bytes([0x45]) + bytes(11) + ip.packed + bytes(4)
    return bytes([0x60]) + bytes(7) + ip.packed + bytes(16)  # source at 8, destination at 24


def check_shape(program):
    assert 0 < len(program) <= sf.MAX_INSNS
    assert program[-1][0] == sf.RET_K
    for pc, (code, jt, jf, k) in enumerate(program):
        assert 0 <= jt <= 255 and 0 <= jf <= 255 and 0 <= k <= 0xFFFFFFFF
        if code == sf.JEQ_K:
            assert pc + 1 + max(jt, jf) < len(program)
        if code == sf.JA:
            assert pc + 1 + k < len(program)
    assert len(sf.pack(program)) == 8 * len(program)  # struct sock_filter


@given(addresses)
def test_any_set_within_the_cap_builds_a_program_the_kernel_takes(addrs):
    check_shape(sf.build(addrs))


@given(addresses, st.lists(st.one_of(v4, v6), max_size=20))
def test_the_program_drops_exactly_the_listed_sources(addrs, others):
    program = sf.build(addrs)
    for addr in addrs:
        assert run(program, header_from(addr)) == sf.DROP
    for addr in set(others) - set(addrs):
        assert run(program, header_from(addr)) == sf.KEEP


@given(st.ip_addresses(v=4))
def test_a_v4_mapped_address_is_dropped_as_its_ipv4_address(ip):
    # On a dual-stack listener its packets carry an IPv4 header.
    assert run(sf.build([f"::ffff:{ip}"]), header_from(str(ip))) == sf.DROP


def test_the_worst_case_fits_and_more_than_the_cap_is_refused():
    worst = [str(ipaddress.IPv6Address(n + 1)) for n in range(sf.MAX_ADDRS)]
    check_shape(sf.build(worst))
    with pytest.raises(ValueError):
        sf.build([*worst, "10.0.0.1"])


def test_no_address_keeps_everything_and_names_are_skipped():
    program = sf.build(["?", "not-an-address"])
    assert run(program, header_from("127.0.0.2")) == sf.KEEP
    assert run(program, header_from("::1")) == sf.KEEP
