"""A classic BPF socket filter that drops TCP packets from given addresses. Pure: no I/O.

Attached to a listening TCP socket (listener.py, ``SO_ATTACH_FILTER``), the kernel runs it on
every packet for that socket (``tcp_filter``) before the handshake: a SYN it drops costs the
hub process nothing, and the peer sees no answer at all (its connect times out) instead of a
reset. There the packet's data starts at the TCP header, so the IP header is read through the
kernel's negative ``SKF_NET_OFF`` offset: the version nibble at byte 0, an IPv4 source at 12,
an IPv6 source at 8 (four words). A dual-stack IPv6 listener receives IPv4 packets with an IPv4
header (its v4-mapped peers), so both versions are checked on every socket.

Each IPv4 address takes 2 instructions and each IPv6 one 9, with short forward jumps only, so
``MAX_ADDRS`` addresses stay far below the kernel's ``BPF_MAXINSNS``.
"""

import ipaddress
import struct

MAX_INSNS = 4096  # BPF_MAXINSNS
MAX_ADDRS = 256  # the rest are refused at accept instead (listener.py)
SKF_NET_OFF = -0x100000
KEEP = 0xFFFFFFFF  # keep the whole packet
DROP = 0

# Opcodes (linux/filter.h)
LD_B_ABS = 0x30  # A = byte at k
LD_W_ABS = 0x20  # A = big-endian word at k
RSH_K = 0x74  # A >>= k
JEQ_K = 0x15  # pc += (A == k) ? jt : jf
JA = 0x05  # pc += k
RET_K = 0x06


def net(offset: int) -> int:
    """The ``k`` that reads the IP header at ``offset`` (as the kernel's u32)."""
    return (SKF_NET_OFF + offset) & 0xFFFFFFFF


def words(addrs) -> tuple[list[int], list[tuple[int, ...]]]:
    """The IPv4 sources as one word each and the IPv6 ones as four (a v4-mapped address is
    its IPv4 address); strings that are not addresses are skipped."""
    v4, v6 = set(), set()
    for text in addrs:
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            continue
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip.version == 4:
            v4.add(int(ip))
        else:
            v6.add(struct.unpack("!4I", ip.packed))
    return sorted(v4), sorted(v6)


def build(addrs) -> list[tuple[int, int, int, int]]:
    """The program (``(code, jt, jf, k)`` instructions) that drops packets from ``addrs`` (at
    most ``MAX_ADDRS`` of them) and keeps every other packet."""
    v4, v6 = words(addrs)
    if len(v4) + len(v6) > MAX_ADDRS:
        raise ValueError(f"at most {MAX_ADDRS} addresses, got {len(v4) + len(v6)}")
    four = [(LD_W_ABS, 0, 0, net(12))]
    for word in v4:
        four += [(JEQ_K, 0, 1, word), (RET_K, 0, 0, DROP)]
    four.append((RET_K, 0, 0, KEEP))
    six = []
    for ws in v6:
        for i, word in enumerate(ws):  # on a mismatch skip the rest of this address
            six += [(LD_W_ABS, 0, 0, net(8 + 4 * i)), (JEQ_K, 0, 7 - 2 * i, word)]
        six.append((RET_K, 0, 0, DROP))
    six.append((RET_K, 0, 0, KEEP))
    head = [
        (LD_B_ABS, 0, 0, net(0)),
        (RSH_K, 0, 0, 4),
        (JEQ_K, 0, 1, 4),
        (JA, 0, 0, 3),  # to the IPv4 part
        (JEQ_K, 0, 1, 6),
        (JA, 0, 0, 1 + len(four)),  # to the IPv6 part
        (RET_K, 0, 0, KEEP),  # neither: not ours to judge
    ]
    return head + four + six


def pack(program) -> bytes:
    """The instructions as the kernel's ``struct sock_filter`` array."""
    return b"".join(struct.pack("HBBI", *insn) for insn in program)
