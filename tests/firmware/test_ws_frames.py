"""WebSocket client framing that needs no socket: accept key, masks, frame layout."""

from blinkshot import ws


def test_accept_key_matches_rfc6455_example():
    assert ws.accept_for(b"dGhlIHNhbXBsZSBub25jZQ==") == b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_preallocated_frame_layout():
    f = ws.Frame(ws.OP_BINARY, 11)
    assert len(f.buf) == 17 and f.buf[0] == 0x82 and f.buf[1] == 0x80 | 11


def unmask(buf, start):
    return bytes(buf[start + i] ^ buf[start - 4 + (i & 3)] for i in range(len(buf) - start))


def test_every_frame_gets_a_fresh_mask_and_masks_correctly():
    f = ws.Frame(ws.OP_BINARY, 6)
    masks = set()
    for _ in range(20):
        f.buf[6:] = b"\x02\xc3\x0f\x82\x00\x29"
        ws.mask_in_place(f.buf, 6, 6)
        masks.add(bytes(f.buf[2:6]))
        assert unmask(f.buf, 6) == b"\x02\xc3\x0f\x82\x00\x29"
    assert len(masks) > 15


def test_build_frame_uses_the_16_bit_length_above_125():
    for n, head in ((0, 2), (125, 2), (126, 4), (300, 4)):
        b = ws.build_frame(ws.OP_BINARY, bytes(range(256)) * 2 and bytes(n))
        assert len(b) == head + 4 + n
        assert b[0] == 0x82 and b[1] & 0x80
        if head == 4:
            assert b[1] & 0x7F == 126 and (b[2] << 8 | b[3]) == n
        assert unmask(b, head + 4) == bytes(n)


class Urandom:
    """A pinned os.urandom: counts calls, returns 0, 1, 2, ... so every mask is known."""

    def __init__(self):
        self.calls = 0
        self.next = 0

    def __call__(self, n):
        self.calls += 1
        out = bytes((self.next + i) & 0xFF for i in range(n))
        self.next += n
        return out


def pinned(fn):
    """Run fn with ws.urandom pinned to a counter and a fresh pool; restore after."""
    rng = Urandom()
    saved = ws.urandom
    ws.urandom = rng
    try:
        ws.MASKS[0] = 0
        ws.refill_masks()
        fn(rng)
    finally:
        ws.urandom = saved
        ws.refill_masks()


def masks_of(n):
    f = ws.Frame(ws.OP_BINARY, 0)
    out = []
    for _ in range(n):
        ws.mask_in_place(f.buf, 6, 0)
        out.append(bytes(f.buf[2:6]))
    return out


def test_masks_come_from_urandom_four_bytes_a_frame():
    def check(rng):
        assert rng.calls == 1 and ws.MASKS[0] == 64
        assert masks_of(3) == [bytes((60, 61, 62, 63)), bytes((56, 57, 58, 59)), b"4567"]
        assert rng.calls == 1  # taking never draws: a frame allocates nothing

    pinned(check)


def test_pool_is_topped_up_at_the_idle_point_once_half_is_used():
    def check(rng):
        c = ws.Client()
        masks_of(7)
        assert ws.MASKS[0] == 36 and rng.calls == 1
        masks_of(1)
        assert ws.MASKS[0] == 32
        c.sock = object()  # wait() tops up before it polls
        c._wait = lambda ms: ()
        c.wait(0)
        assert rng.calls == 2 and ws.MASKS[0] == 64
        assert masks_of(1) == [bytes((124, 125, 126, 127))]  # from the second draw

    pinned(check)


def test_a_dry_pool_falls_back_and_counts_it():
    def check(rng):
        before = ws.MASKS[2]
        masks_of(16)
        assert ws.MASKS[2] == before and ws.MASKS[0] == 0
        masks_of(2)
        assert ws.MASKS[2] == before + 2

    pinned(check)


def test_a_full_heap_during_refill_keeps_the_pool():
    def no_memory(n):
        raise MemoryError

    def check(rng):
        masks_of(2)
        ws.urandom = no_memory
        assert ws.refill_masks() is False and ws.MASKS[0] == 56

    pinned(check)
