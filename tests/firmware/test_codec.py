"""The firmware codec against the shared wire vectors (tests/vectors/protocol_v1.json)."""

from blinkshot import codec, decode, hello
from fwsupport import unhex, vectors

PRESS_ORDER = ("blink", "shoot", "stick")


def test_every_input_vector_encodes_to_its_bytes():
    for v in vectors()["controller_to_hub"]:
        f = v["frame"]
        if f["type"] != "input":
            continue
        buf = bytearray(codec.INPUT_LEN + 3)
        codec.pack_input(buf, 3, f["seq"], f["buttons"], f["presses"], f["x"], f["y"])
        assert bytes(buf[3:]) == unhex(v["hex"]), v["name"]


def test_every_input_vector_decodes_to_its_meaning():
    for v in vectors()["controller_to_hub"]:
        f = v["frame"]
        if f["type"] == "input":
            seq, buttons, presses, x, y = decode.decode_input(unhex(v["hex"]))
            assert (seq, buttons, presses, x, y) == (
                f["seq"],
                f["buttons"],
                f["presses"],
                f["x"],
                f["y"],
            ), v["name"]


def test_telemetry_vectors_round_trip():
    for v in vectors()["controller_to_hub"]:
        f = v["frame"]
        if f["type"] != "telemetry":
            continue
        buf = bytearray(codec.TELEMETRY_LEN)
        codec.pack_telemetry(buf, 0, f["rssi"], f["battery_mv"], f["heap_kb"])
        assert bytes(buf) == unhex(v["hex"]), v["name"]
        assert decode.decode_telemetry(unhex(v["hex"])) == (
            f["rssi"],
            f["battery_mv"],
            f["heap_kb"],
        )


def test_hello_vectors_encode_byte_for_byte_and_decode():
    for v in vectors()["controller_to_hub"]:
        f = v["frame"]
        if f["type"] != "hello":
            continue
        data = hello.encode_hello(f["id"], f["fw"], f["name"], f["reset"], f["config"])
        assert data == unhex(v["hex"]), v["name"]
        proto, fields = decode.decode_hello(unhex(v["hex"]))
        assert proto == f["proto"] == codec.PROTO
        for key in ("id", "fw", "name", "reset", "config"):
            assert fields[key] == f[key], key


def test_hello_never_carries_the_wifi_password_or_pairing_code():
    cfg = {"wifi_ssid": "lan", "wifi_password": "hunter22", "code": "123456", "room": "r1"}
    data = hello.encode_hello("a4cf12fe0b1c", "0.1.0", "Ada", "soft", cfg)
    assert b"hunter22" not in data and b"123456" not in data
    assert decode.decode_hello(data)[1]["config"] == {"room": "r1", "wifi_ssid": "lan"}


def test_every_hub_vector_decodes():
    for v in vectors()["hub_to_controller"]:
        f = v["frame"]
        got = codec.decode_hub(unhex(v["hex"]))
        if f["type"] == "welcome":
            assert got == (codec.T_WELCOME, f["slot"], tuple(f["color"]), f["proto"]), v["name"]
        else:
            assert got == (codec.T_FEEDBACK, f["kind"], f["ms"], 0), v["name"]


def test_invalid_hub_vectors_are_rejected_without_raising():
    for v in vectors()["invalid_hub_frames"]:
        assert codec.decode_hub(unhex(v["hex"])) is None, v["name"]


def test_invalid_controller_vectors_do_not_decode_as_valid_inputs():
    for v in vectors()["invalid_controller_frames"]:
        data = unhex(v["hex"])
        if data[:1] == b"\x01":
            assert decode.decode_input(data) is None, v["name"]
        if data[:1] == b"\x02":
            assert decode.decode_telemetry(data) is None, v["name"]
