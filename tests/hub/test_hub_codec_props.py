"""Property tests: the hub's decoders meet arbitrary input with a clean ``ProtocolError`` (the
close code and reason the client gets), never another exception, and what they accept can be
sent back out as strict JSON."""

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hub.codec import JSON_MAX_DEPTH, T_HELLO, ProtocolError, decode_controller, decode_window

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
TYPES = st.sampled_from(["input", "join", "message", "ping", "hello", "", None, 1])


def window_texts():
    """Raw text, and objects shaped like window messages with hostile fields."""
    shaped = st.builds(
        lambda kind, extra: json.dumps({"type": kind, **extra}, allow_nan=True),
        TYPES,
        st.dictionaries(
            st.sampled_from(
                ["seq", "buttons", "presses", "x", "y", "aim", "name", "id", "text", "t"]
            ),
            JSON,
            max_size=6,
        ),  # fmt: skip
    )
    nested = st.integers(0, 3000).map(lambda n: "[" * n + "]" * n)
    return st.text(max_size=200) | shaped | nested


@settings(max_examples=400, deadline=None)
@given(window_texts())
@example('{"type": "ping", "id": 1, "t": 1e400}')
@example('{"type": "ping", "id": 1, "t": NaN}')
@example("[" * 100000)
@example('{"type": "input", "aim": [NaN, 0]}')
def test_window_decoder_returns_clean_json_or_protocol_error(text):
    try:
        msg = decode_window(text)
    except ProtocolError as exc:
        assert 4000 <= exc.code <= 4999 and exc.reason
        assert len(exc.reason.encode()) <= 123  # must fit in a close frame
        return
    json.dumps(msg, allow_nan=False)  # what the hub may echo is strict JSON


def controller_frames():
    hello_body = st.one_of(
        st.binary(max_size=1100),
        JSON.map(lambda v: json.dumps(v).encode()),
        st.integers(0, 600).map(lambda n: b"[" * n + b"]" * n),
    )
    hellos = st.builds(lambda v, body: bytes([T_HELLO, v]) + body, st.integers(0, 255), hello_body)
    return st.binary(max_size=64) | hellos


@settings(max_examples=400, deadline=None)
@given(controller_frames())
@example(b"\x03\x01" + b"[" * 1024)
@example(b"\x03\x01\xff\xfe")
def test_controller_decoder_returns_a_frame_or_protocol_error(data):
    try:
        frame = decode_controller(data)
    except ProtocolError as exc:
        assert exc.code in (4000, 4001, 4002) and exc.reason
        return
    assert frame["type"] in ("input", "telemetry", "hello")
    json.dumps(frame, allow_nan=False)


def test_depth_limit_is_a_real_limit():
    ok = "[" * JSON_MAX_DEPTH + "]" * JSON_MAX_DEPTH
    deep = "[" + ok + "]"
    for text in (ok, deep):
        try:
            decode_window(text)
        except ProtocolError as exc:
            assert ("deeper" in exc.reason) == (text is deep)
