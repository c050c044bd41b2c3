"""The generated parts of hardware/README.md: parts tables, pin tables, REPL checks, inline pins.

The README is hand-written around blocks fenced by `<!-- begin generated: NAME -->` and
`<!-- end generated: NAME -->`, plus inline pin numbers written as `<!--pin:x-->34<!--/pin-->`
(the reference board's pin for that field). `fill(readme, ...)` rewrites only those.
"""

import csv
import io
import re

from pinmap import pinrules

BLOCK = re.compile(
    r"(<!-- begin generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)"
    r"(<!-- end generated: (?P=name) -->)",
    re.S,
)
INLINE = re.compile(r"(<!--pin:(?P<field>\w+)-->)(?P<body>[^<]*)(<!--/pin-->)")

PARTS = {
    "x": "joystick VRx",
    "y": "joystick VRy",
    "stick": "joystick SW (press)",
    "blink": "blink button",
    "shoot": "shoot button",
    "led": "status LED (through 330 Ω)",
    "motor": "motor transistor base (through 470 Ω)",
    "battery": "battery divider midpoint",
}
BUILDS = {"esp32": "ESP32", "esp32s3": "ESP32-S3", "esp32c3": "ESP32-C3"}
NEEDS = ("required", "recommended", "optional")


def read_bom(text):
    """Rows of bom.csv as dicts, with qty as int and usd_each as float; ValueError if malformed."""
    rows = list(csv.DictReader(io.StringIO(text)))
    for i, row in enumerate(rows, start=2):
        if row["need"] not in NEEDS:
            raise ValueError(f"bom.csv line {i}: need must be one of {', '.join(NEEDS)}")
        if row["build"] != "all" and row["build"] not in BUILDS:
            raise ValueError(f"bom.csv line {i}: build must be all or one of {', '.join(BUILDS)}")
        row["qty"] = int(row["qty"])
        row["usd_each"] = float(row["usd_each"])
        if row["qty"] < 1 or row["usd_each"] < 0:
            raise ValueError(f"bom.csv line {i}: qty must be 1 or more and the price not negative")
    return rows


def _money(v):
    return f"{v:.2f}"


def bom_block(rows, pinmaps):
    ref = [r for r in rows if r["build"] in ("all", "esp32")]
    out = [
        "| need | part | qty | for example | ≈ US$ each | typical sources | notes |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for need in NEEDS:
        for r in ref:
            if r["need"] == need:
                out.append(
                    f"| {need} | {r['part']} | {r['qty']} | {r['example']} | "
                    f"{_money(r['usd_each'])} | {r['sources']} | {r['notes']} |"
                )

    def total(needs):
        return sum(r["qty"] * r["usd_each"] for r in ref if r["need"] in needs)

    base = total(("required", "recommended"))
    out.append("")
    out.append(
        f"Reference build: about US$ {base:.0f} for the required and recommended parts, and "
        f"US$ {total(NEEDS):.0f} with the motor and battery too (single-unit prices from online "
        "marketplaces; resistors, capacitors and LEDs are cheapest in assorted kits)."
    )
    ref_board = sum(r["qty"] * r["usd_each"] for r in ref if r["item"] == "board")
    by_chip = {pm["chip"]: pm for pm in pinmaps}
    for build in ("esp32s3", "esp32c3"):
        swap = [r for r in rows if r["build"] == build]
        out += ["", f"**{BUILDS[build]} variant**: the same parts, with this board instead:", ""]
        out += ["| part | for example | ≈ US$ each | typical sources | notes |"]
        out += ["| --- | --- | --- | --- | --- |"]
        for r in swap:
            out.append(
                f"| {r['part']} | {r['example']} | {_money(r['usd_each'])} | {r['sources']} "
                f"| {r['notes']} |"
            )
        cost = base - ref_board + sum(r["qty"] * r["usd_each"] for r in swap)
        pm = by_chip.get(build)
        if pm:
            wiring = ", ".join(f"{PARTS[f]} GPIO{pm['pins'][f]}" for f in pinrules.FIELDS)
            out += [
                "",
                f"About US$ {cost:.0f} for the required and recommended parts. Wiring "
                f"([`{pm['board']}.json`](pinmaps/{pm['board']}.json)): {wiring}.",
            ]
    return "\n".join(out) + "\n"


def pins_block(pinmaps):
    out = []
    for pm in pinmaps:
        table = pinrules.table(pm["chip"])
        off = pm.get("off_by_default", [])
        out += [f"### {pm['title']}", ""]
        out += [
            f"Pin map [`pinmaps/{pm['board']}.json`](pinmaps/{pm['board']}.json), wiring "
            f"diagram [`diagrams/{pm['board']}.svg`](diagrams/{pm['board']}.svg).",
            "",
            "| part | config.json | GPIO | notes |",
            "| --- | --- | --- | --- |",
        ]
        for field in pinrules.FIELDS:
            pin = pm["pins"].get(field)
            if pin is None:
                continue
            notes = []
            if field in pinrules.ANALOG:
                notes.append("ADC1")
            if pin in table["input_only"]:
                notes.append("input only (fine for analog)")
            if field in pinrules.OPTIONAL:
                notes.append("optional part")
            if field in off:
                notes.append(f'off until config.json has `"{field}": {pin}` in pins')
            out.append(f"| {PARTS[field]} | `pins.{field}` | {pin} | {', '.join(notes)} |")
        out += ["", "- Power: the board's 3V3 pin and a GND pin to the breadboard's rails."]
        for note in pm.get("notes", []):
            out.append(f"- {note}")
        out.append("")
    return "\n".join(out)


def checks_block(pm):
    p = pm["pins"]
    adc = "ADC.ATTN_11DB"
    lines = [
        "```text",
        "# after a line starting with `for`, press Enter once more to run it",
        "from machine import Pin, ADC; import time",
        f"# buttons: 1 = released, 0 = pressed (blink GPIO{p['blink']}, shoot GPIO{p['shoot']},"
        f" stick GPIO{p['stick']})",
        f"b = Pin({p['blink']}, Pin.IN, Pin.PULL_UP); s = Pin({p['shoot']}, Pin.IN, Pin.PULL_UP);"
        f" k = Pin({p['stick']}, Pin.IN, Pin.PULL_UP)",
        "for i in range(40): print(b.value(), s.value(), k.value()); time.sleep(0.25)",
        "# joystick: about 25000-40000 at rest, near 0 and 65535 at the ends of travel",
        f"x = ADC(Pin({p['x']}), atten={adc}); y = ADC(Pin({p['y']}), atten={adc})",
        "for i in range(40): print(x.read_u16(), y.read_u16()); time.sleep(0.25)",
        "# status LED: on, then off",
        f"led = Pin({p['led']}, Pin.OUT); led.value(1); time.sleep(1); led.value(0)",
    ]
    if p.get("motor") is not None:
        lines += [
            "# motor (if fitted): on for one second",
            f"m = Pin({p['motor']}, Pin.OUT); m.value(1); time.sleep(1); m.value(0)",
        ]
    if p.get("battery") is not None:
        lines += [
            "# battery (if fitted): the divider halves it, so double the reading; 3.0-4.2 V",
            f"a = ADC(Pin({p['battery']}), atten={adc}); print(a.read_uv() * 2 / 1e6, 'V')",
        ]
    lines.append("```")
    return "\n".join(lines) + "\n"


def fill(readme, blocks, ref_pins):
    """README text with every generated block and inline pin replaced. KeyError names an
    unknown block or field, so a typo in the README fails `make hardware` loudly."""

    def block(m):
        return m.group(1) + blocks[m.group("name")] + m.group(4)

    def inline(m):
        return m.group(1) + str(ref_pins[m.group("field")]) + m.group(4)

    return INLINE.sub(inline, BLOCK.sub(block, readme))
