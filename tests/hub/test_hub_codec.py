"""The hub codec against the shared vectors (tests/vectors/protocol_v1.json)."""

import json

import pytest
from hubkit import ROOT, VECTORS

from hub.codec import (
    Close,
    ProtocolError,
    decode_controller,
    decode_window,
    encode_feedback,
    encode_input,
    encode_welcome,
)


@pytest.mark.parametrize("vec", VECTORS["controller_to_hub"], ids=lambda v: v["name"])
def test_controller_vectors_decode_to_their_meaning(vec):
    got = decode_controller(bytes.fromhex(vec["hex"]))
    want = dict(vec["frame"])
    if want["type"] == "hello":
        got.pop("kind")  # hub-side default, not on the wire
    assert got == want


@pytest.mark.parametrize(
    "vec", [v for v in VECTORS["controller_to_hub"] if v["frame"]["type"] == "input"],
    ids=lambda v: v["name"],
)  # fmt: skip
def test_input_vectors_encode_to_their_bytes(vec):
    f = vec["frame"]
    assert encode_input(f["seq"], f["buttons"], f["presses"], f["x"], f["y"]).hex() == vec["hex"]


@pytest.mark.parametrize("vec", VECTORS["hub_to_controller"], ids=lambda v: v["name"])
def test_hub_to_controller_vectors(vec):
    f = vec["frame"]
    if f["type"] == "welcome":
        assert encode_welcome(f["slot"], tuple(f["color"])).hex() == vec["hex"]
    else:
        assert encode_feedback(f["kind"], f["ms"]).hex() == vec["hex"]


@pytest.mark.parametrize("vec", VECTORS["invalid_controller_frames"], ids=lambda v: v["name"])
def test_invalid_controller_frames_get_their_close_code(vec):
    with pytest.raises(ProtocolError) as err:
        decode_controller(bytes.fromhex(vec["hex"]))
    assert err.value.code == vec["close"]
    assert len(err.value.reason) > 10


@pytest.mark.parametrize("vec", VECTORS["window_to_hub"], ids=lambda v: v["name"])
def test_window_vectors_are_accepted(vec):
    got = decode_window(json.dumps(vec["json"]))
    for key, value in vec["json"].items():
        assert got[key] == value


@pytest.mark.parametrize("vec", VECTORS["invalid_window_frames"], ids=lambda v: v["name"])
def test_invalid_window_frames_get_their_close_code(vec):
    with pytest.raises(ProtocolError) as err:
        decode_window(vec["text"])
    assert err.value.code == vec["close"]


def test_close_codes_match_protocol_doc():
    text = (ROOT / "docs" / "protocol.md").read_text()
    for code in Close:
        assert f"| {int(code)} |" in text, f"close code {int(code)} not documented"
