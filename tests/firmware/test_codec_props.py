"""Property tests (CPython only: Hypothesis does not run on MicroPython, so this module is not
in test_micropython.MODULES): the firmware's decoders never raise on arbitrary bytes.

``codec.decode_hub`` runs on the device for every frame the hub sends; ``decode`` is the host
tools' reader of controller frames. Both answer None for anything malformed."""

from blinkshot import codec, decode
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
