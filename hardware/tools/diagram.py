"""Wiring diagram of one pin map as SVG text.

The board is drawn as a block whose pins are listed in the order of the parts, so every signal
wire runs straight across. Power uses schematic flags: every "3V3" flag joins the board's 3V3
pin and every ground symbol a GND pin (the two power rails of a breadboard).
"""

from pinmap import pinrules
from svg import COLORS, INK, POWER, Svg

WIDTH = 1150
BOARD_X, BOARD_W = 40, 230
EDGE = BOARD_X + BOARD_W  # where the wires leave the board
PART_X = 470  # where the parts start
KIND = {"x": "analog", "y": "analog", "battery": "analog", "led": "output", "motor": "output"}


class Layout:
    """Places sections top to bottom and records the board pin rows they need."""

    def __init__(self, svg, pm, top):
        self.svg, self.pm, self.y = svg, pm, top
        self.rows = []  # (y, board pin text, tag, color)
        self.table = pinrules.table(pm["chip"])

    def row(self, y, field, note):
        """A signal wire from the board's GPIO to x=PART_X at height y, labelled with the field."""
        pin = self.pm["pins"][field]
        color = COLORS[KIND.get(field, "button")]
        tags = []
        if field in ("x", "y", "battery"):
            tags.append("ADC1")
        if pin in self.table["input_only"]:
            tags.append("input only")
        self.rows.append((y, f"GPIO{pin}", " · ".join(tags), color))
        self.svg.line(EDGE, y, PART_X, y, color, width=2.5)
        self.svg.label(EDGE + 12, y - 6, f"pins.{field} = {pin}", size=12, color=color, mono=True)
        if note:
            self.svg.label(EDGE + 12, y + 15, note, size=11, color="#555")

    def frame(self, top, height, title, optional):
        dash = "7 5" if optional else None
        self.svg.rect(PART_X - 50, top, WIDTH - PART_X + 20, height, fill="none",
                      color="#999", width=1.2, dash=dash)  # fmt: skip
        text = f"{title} (optional)" if optional else title
        self.svg.label(PART_X - 40, top + 17, text, size=13, weight="bold")


def joystick(lay):
    s, top = lay.svg, lay.y
    lay.frame(top, 175, "Joystick module (KY-023 or similar)", False)
    ys = (top + 50, top + 90, top + 130)
    bx, bw = PART_X + 40, 180
    s.rect(bx, top + 30, bw, 120, fill="#f4f4f4")
    for y, field, pin in zip(ys, ("x", "y", "stick"), ("VRx", "VRy", "SW"), strict=True):
        lay.row(y, field, None)
        s.line(PART_X, y, bx, y, COLORS[KIND.get(field, "button")], width=2.5)
        s.label(bx + 10, y + 4, pin, size=13, mono=True)
    s.label(bx + bw / 2, top + 165, "power it from 3V3, never 5V", size=11, anchor="middle",
            color=POWER)  # fmt: skip
    s.label(bx + bw + 20, top + 165, "recommended: 100 nF from VRx and from VRy to GND", size=11,
            color="#555")  # fmt: skip
    for y, pin in ((ys[0], "+5V"), (ys[2], "GND")):
        s.label(bx + bw - 10, y + 4, pin, size=13, anchor="end", mono=True)
        s.line(bx + bw, y, bx + bw + 60, y, POWER if pin == "+5V" else INK)
    s.supply(bx + bw + 60, ys[0])
    s.ground(bx + bw + 60, ys[2])
    lay.y = top + 185


def button(lay, field, title):
    s, top = lay.svg, lay.y
    lay.frame(top, 70, title, False)
    y = top + 42
    lay.row(y, field, None)
    s.button_h(PART_X + 40, y, COLORS["button"])
    s.line(PART_X, y, PART_X + 40, y, COLORS["button"], width=2.5)
    s.line(PART_X + 100, y, PART_X + 140, y)
    s.ground(PART_X + 140, y)
    s.label(PART_X + 180, y + 4, "pressed = GPIO reads 0 (internal pull-up)", size=11, color="#555")
    lay.y = top + 80


def led(lay):
    s, top = lay.svg, lay.y
    lay.frame(top, 80, "Status LED", False)
    y = top + 48
    lay.row(y, "led", None)
    s.resistor_h(PART_X + 40, y, "330 Ω", color=COLORS["output"])
    s.line(PART_X, y, PART_X + 40, y, COLORS["output"], width=2.5)
    s.led_h(PART_X + 100, y)
    s.line(PART_X + 130, y, PART_X + 150, y)
    s.ground(PART_X + 150, y)
    s.label(PART_X + 180, y - 12, "long leg (anode) towards the resistor,", size=11, color="#555")
    s.label(PART_X + 180, y + 4, "short leg / flat side (cathode) to GND", size=11, color="#555")
    lay.y = top + 90


def motor(lay):
    s, top = lay.svg, lay.y
    lay.frame(top, 225, "Vibration motor", True)
    y = top + 165
    lay.row(y, "motor", None)
    s.line(PART_X, y, PART_X + 40, y, COLORS["output"], width=2.5)
    s.resistor_h(PART_X + 40, y, "470 Ω", color=COLORS["output"])
    s.line(PART_X + 100, y, PART_X + 180, y, COLORS["output"])
    (cx, cy), (ex, ey) = s.npn(PART_X + 180, y)
    s.label(cx + 30, y + 4, "NPN: 2N2222, BC337 or S8050", size=11, color="#555")
    s.label(cx - 20, y + 2 + 48, "E", size=11)
    s.label(cx - 20, y + 2 - 40, "C", size=11)
    s.ground(ex, ey)
    # collector -> motor -> 3V3, with the flyback diode across the motor (band towards 3V3)
    top_y = cy - 80
    s.line(cx, cy, cx, cy - 20)
    s.motor(cx, cy - 40)
    s.line(cx, cy - 56, cx, top_y)
    dx = cx + 50
    s.line(cx, cy - 14, dx, cy - 14)
    s.diode_v(dx, top_y + 6, length=cy - 20 - top_y)
    s.line(dx, top_y + 6, dx, top_y)
    s.line(cx, top_y, dx, top_y, POWER)
    s.dot(cx, cy - 14)
    s.dot(cx, top_y, POWER)
    s.supply(cx, top_y)
    s.label(dx + 14, cy - 40, "1N4148 or 1N5819: band (cathode) towards 3V3", size=11,
            color="#555")  # fmt: skip
    lay.y = top + 235


def battery(lay):
    s, top = lay.svg, lay.y
    lay.frame(top, 300, "LiPo battery and level sensing", True)
    py = top + 60  # the + line of the power chain
    boxes = [(PART_X - 40, 80, "LiPo 3.7 V"), (PART_X + 80, 120, "charger TP4056"),
             (PART_X + 250, 70, "switch"), (PART_X + 370, 120, "3.3 V LDO")]  # fmt: skip
    for bx, bw, name in boxes:
        s.rect(bx, py - 22, bw, 56, fill="#f4f4f4")
        s.label(bx + bw / 2, py + 24, name, size=12, anchor="middle")
    for (ax, aw, _), (bx, _, _) in zip(boxes, boxes[1:], strict=False):
        s.line(ax + aw, py - 6, bx, py - 6, POWER)
    s.label(PART_X + 140, py - 28, "USB in: charging", size=11, anchor="middle", color="#555")
    out = boxes[-1][0] + boxes[-1][1]
    s.line(out, py - 6, out + 60, py - 6, POWER)
    s.supply(out + 60, py - 6)
    s.label(out + 60, py + 14, "to board 3V3", size=11, anchor="middle", color="#555")
    s.line(PART_X + 10, py + 34, PART_X + 10, py + 50)
    s.ground(PART_X + 10, py + 50)
    s.label(PART_X + 24, py + 60, "all − / GND terminals", size=11, color="#555")
    # divider from the charger's output (before the switch, so it reads even when off)
    tap = PART_X + 225
    y = py + 130
    s.dot(tap, py - 6, POWER)
    s.line(tap, py - 6, tap, py + 50, POWER)
    s.resistor_v(tap, py + 50, "100 kΩ", length=y - py - 50)
    lay.row(y, "battery", None)
    s.line(PART_X, y, tap, y, COLORS["analog"], width=2.5)
    s.dot(tap, y)
    s.resistor_v(tap, y, "100 kΩ", length=70)
    s.ground(tap, y + 70)
    s.line(tap, y, tap + 80, y)
    s.capacitor_v(tap + 80, y, "100 nF", length=70)
    s.ground(tap + 80, y + 70)
    s.label(PART_X - 40, y + 34, "The pin sees half the battery voltage:", size=11, color="#555")
    s.label(PART_X - 40, y + 50, "4.2 V full → 2.1 V, 3.0 V empty → 1.5 V", size=11, color="#555")
    lay.y = top + 310


def draw_board(lay, top, bottom):
    s, pm = lay.svg, lay.pm
    s.rect(BOARD_X, top, BOARD_W, bottom - top, fill="#e8f0fe", color="#1a237e", width=2.5)
    words, lines = pm["title"].split(" "), [""]
    for word in words:
        if len(lines[-1]) + len(word) > 26:
            lines.append("")
        lines[-1] = f"{lines[-1]} {word}".strip()
    for i, text in enumerate(lines):
        s.label(BOARD_X + 12, top + 24 + 17 * i, text, size=13, weight="bold" if i == 0 else None)
    s.label(BOARD_X + 12, bottom - 14, f"chip: {lay.table['name']}", size=12, color="#555")
    for y, text, tag, color in lay.rows:
        s.circle(EDGE, y, 5, fill=color, color=color)
        s.label(EDGE - 12, y + 5, text, size=14, anchor="end", weight="bold", mono=True)
        if tag:
            s.label(EDGE - 12, y + 20, tag, size=10, anchor="end", color="#555")


def render(pm):
    """SVG text of the wiring diagram for pin map `pm`."""
    height = (
        80 + 80 + 110 + 185 + 80 + 80 + 90 + 235 + 310 + 30 + 22 * (len(pm.get("notes", [])) + 3)
    )
    s = Svg(WIDTH, height)
    short = pm["title"].split(" (")[0]
    s.label(40, 34, f"Blinkshot controller wiring: {short}", size=18, weight="bold")
    s.label(40, 56, f"Generated from hardware/pinmaps/{pm['board']}.json by `make hardware`; "
            "edit the pin map, not this file.", size=12, color="#555")  # fmt: skip
    top = 80
    lay = Layout(s, pm, top + 100)
    # power pins of the board
    top = lay.y - 20
    for y, name in ((top + 40, "3V3"), (top + 80, "GND")):
        color = POWER if name == "3V3" else INK
        lay.rows.append((y, name, "", color))
        s.line(EDGE, y, EDGE + 60, y, color)
    s.supply(EDGE + 60, top + 40)
    s.ground(EDGE + 60, top + 80)
    s.label(EDGE + 90, top + 36, "3V3 and GND feed the breadboard's two power rails:", size=12)
    s.label(EDGE + 90, top + 54, "every 3V3 flag below joins the 3V3 pin, every ground", size=12)
    s.label(EDGE + 90, top + 72, "symbol a GND pin. Nothing connects to 5V / VIN.", size=12)
    lay.y = top + 110
    joystick(lay)
    button(lay, "blink", "Blink button")
    button(lay, "shoot", "Shoot button")
    led(lay)
    motor(lay)
    battery(lay)
    draw_board(lay, 80, lay.y - 10)
    y = lay.y + 16
    notes = ["Dashed boxes are optional parts; the controller works without them."]
    notes += pm.get("notes", [])
    off = pm.get("off_by_default", [])
    if off:
        for n in off:
            pin = pm["pins"][n]
            notes.append(
                f"The firmware ignores pins.{n} until config.json sets it: "
                f'make config PINS="{n}={pin}".'
            )
    for i, note in enumerate(notes):
        s.label(40, y + 22 * i, f"• {note}", size=12)
    return s.text()
