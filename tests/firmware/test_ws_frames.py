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
