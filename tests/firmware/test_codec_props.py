"""Property tests (CPython only: Hypothesis does not run on MicroPython, so this module is not
in test_micropython.MODULES): the firmware's decoders never raise on arbitrary bytes.

``codec.decode_hub`` runs on the device for every frame the hub sends, and ``ws.Client`` reads
the frames around it from whatever TCP delivers; ``decode`` is the host tools' reader of
controller frames. Each answers None (or a close) for anything malformed."""

from blinkshot import codec, decode, ws
from hypothesis import example, given, settings
from hypothesis import strategies as st


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=40), st.integers(-2, 45))
@example(b"\x81\x01\x02\x03\x04\x05", 6)
@example(b"\x82\x01\x00\x96", 4)
@example(b"", None)
def test_decode_hub_answers_a_tuple_or_none(data, n):
    if n is not None:
        n = max(0, min(n, len(data)))
    got = codec.decode_hub(data, n)
    assert got is None or got[0] in (codec.T_WELCOME, codec.T_FEEDBACK)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=1100))
@example(b"\x03\x01" + b"[" * 5000)
@example(b"\x03\x01\xff")
@example(b"\x01" + bytes(10))
def test_host_decoders_answer_none_for_bad_bytes(data):
    for fn in (decode.decode_input, decode.decode_telemetry, decode.decode_hello):
        try:
            fn(data)
        except ValueError:
            pass  # a clean refusal is fine too


class _Sock:
    """Hands out ``chunks`` one read at a time (what TCP may do to a byte stream)."""

    def __init__(self, chunks):
        self.chunks = [c for c in chunks if c]
        self.sent = []

    def recv_into(self, buf):
        if not self.chunks:
            raise OSError(11)  # EAGAIN: nothing more for now
        c = self.chunks.pop(0)
        n = min(len(c), len(buf))
        buf[:n] = c[:n]
        if n < len(c):
            self.chunks.insert(0, c[n:])
        return n

    def send(self, data):
        self.sent.append(bytes(data))
        return len(data)

    def close(self):
        pass


def _client(sock):
    c = ws.Client()
    c.sock = sock
    c._send, c._recv_into = sock.send, sock.recv_into
    c._wait = lambda ms: iter([True] if sock.chunks else [])
    return c


FRAME = st.builds(
    lambda b0, n, body: bytes([b0, n]) + body,
    st.sampled_from([0x82, 0x81, 0x88, 0x89, 0x8A, 0x02, 0x80, 0x83, 0xC2]) | st.integers(0, 255),
    st.integers(0, 127) | st.integers(128, 255),
    st.binary(max_size=130),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAME | st.binary(max_size=40), max_size=8), st.lists(st.integers(1, 40)))
@example([b"\x82\x06\x81\x01\x02\x03\x04\x05"], [1])
@example([b"\x89\x7d" + bytes(125)], [3])
def test_client_meets_any_hub_bytes_in_any_chunks_without_raising(parts, cuts):
    stream = b"".join(parts)
    chunks, i = [], 0
    for cut in cuts or [len(stream) or 1]:
        chunks.append(stream[i : i + cut])
        i += cut
    chunks.append(stream[i:])
    c = _client(_Sock(chunks))
    for _ in range(len(stream) + 4):
        ev = c.poll()
        assert ev in (ws.EV_NONE, ws.EV_MESSAGE, ws.EV_CLOSED)
        if ev == ws.EV_MESSAGE:
            assert isinstance(c.msg, bytes) and len(c.msg) <= ws.MAX_PAYLOAD
        if ev == ws.EV_CLOSED:
            assert c.close_code and c.sock is None
            break
