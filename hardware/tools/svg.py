"""A tiny SVG writer and the schematic symbols the wiring diagrams use. Plain text out, no I/O."""

from html import escape

INK = "#222"
POWER = "#c62828"
COLORS = {"analog": "#e67e00", "button": "#1565c0", "output": "#2e7d32", "power": POWER}


def _n(v):
    return f"{v:g}" if isinstance(v, float) else str(v)


class Svg:
    """Collects elements; `text()` returns the finished document."""

    def __init__(self, width, height):
        self.width, self.height = width, height
        self.parts = []

    def add(self, tag, text=None, **attrs):
        attr = " ".join(
            f'{k.rstrip("_").replace("_", "-")}="{escape(_n(v))}"'
            for k, v in attrs.items()
            if v is not None
        )
        if text is None:
            self.parts.append(f"<{tag} {attr}/>")
        else:
            self.parts.append(f"<{tag} {attr}>{escape(text)}</{tag}>")

    def line(self, x1, y1, x2, y2, color=INK, width=2, dash=None):
        self.add(
            "line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=color, stroke_width=width,
            stroke_dasharray=dash, stroke_linecap="round",
        )  # fmt: skip

    def poly(self, points, color=INK, fill="none", width=2, closed=False):
        pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        self.add(
            "polygon" if closed else "polyline", points=pts, stroke=color, fill=fill,
            stroke_width=width, stroke_linejoin="round",
        )  # fmt: skip

    def rect(self, x, y, w, h, fill="white", color=INK, width=2, dash=None, rx=4):
        self.add(
            "rect", x=x, y=y, width=w, height=h, rx=rx, fill=fill, stroke=color,
            stroke_width=width, stroke_dasharray=dash,
        )  # fmt: skip

    def circle(self, x, y, r, fill="white", color=INK, width=2):
        self.add("circle", cx=x, cy=y, r=r, fill=fill, stroke=color, stroke_width=width)

    def label(self, x, y, text, size=13, anchor="start", weight=None, color=INK, mono=False):
        self.add(
            "text", text, x=x, y=y, font_size=size, text_anchor=anchor, font_weight=weight,
            fill=color, font_family="DejaVu Sans Mono, monospace" if mono else None,
        )  # fmt: skip

    def dot(self, x, y, color=INK):
        self.circle(x, y, 4, fill=color, color=color, width=1)

    def text(self):
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" '
            f'height="{self.height}" viewBox="0 0 {self.width} {self.height}" '
            'font-family="DejaVu Sans, Arial, sans-serif">\n'
            f'<rect x="0" y="0" width="{self.width}" height="{self.height}" fill="white"/>\n'
        )
        return head + "\n".join(self.parts) + "\n</svg>\n"

    # Schematic symbols. Each takes the point where its wire arrives.

    def ground(self, x, y, color=INK):
        """Ground symbol hanging below (x, y)."""
        self.line(x, y, x, y + 12, color)
        for i, half in enumerate((11, 7, 3)):
            self.line(x - half, y + 12 + 4 * i, x + half, y + 12 + 4 * i, color)

    def supply(self, x, y, name="3V3"):
        """3V3 flag standing above (x, y)."""
        self.line(x, y, x, y - 14, POWER)
        self.line(x - 9, y - 14, x + 9, y - 14, POWER, width=3)
        self.label(x, y - 19, name, size=12, anchor="middle", weight="bold", color=POWER)

    def resistor_h(self, x, y, value, length=60, color=INK):
        """Horizontal resistor from (x, y) to (x + length, y)."""
        self.line(x, y, x + 12, y, color)
        self.rect(x + 12, y - 7, length - 24, 14, rx=1)
        self.line(x + length - 12, y, x + length, y, color)
        self.label(x + length / 2, y - 12, value, size=12, anchor="middle")

    def resistor_v(self, x, y, value, length=60, color=INK):
        """Vertical resistor from (x, y) down to (x, y + length)."""
        self.line(x, y, x, y + 12, color)
        self.rect(x - 7, y + 12, 14, length - 24, rx=1)
        self.line(x, y + length - 12, x, y + length, color)
        self.label(x + 12, y + length / 2 + 4, value, size=12)

    def capacitor_v(self, x, y, value, length=50):
        mid = y + length / 2
        self.line(x, y, x, mid - 4)
        self.line(x - 11, mid - 4, x + 11, mid - 4, width=3)
        self.line(x - 11, mid + 4, x + 11, mid + 4, width=3)
        self.line(x, mid + 4, x, y + length)
        self.label(x + 15, mid + 4, value, size=12)

    def led_h(self, x, y, color="#d32f2f"):
        """LED pointing right, anode at (x, y), cathode at (x + 30, y)."""
        self.line(x, y, x + 8, y)
        self.poly([(x + 8, y - 9), (x + 8, y + 9), (x + 22, y)], fill=color, closed=True)
        self.line(x + 22, y - 9, x + 22, y + 9, width=3)
        self.line(x + 22, y, x + 30, y)
        for dx in (10, 17):
            self.line(x + dx, y - 12, x + dx + 6, y - 19, width=1.5)
            self.poly([(x + dx + 6, y - 19), (x + dx + 1, y - 18), (x + dx + 5, y - 14)],
                      fill=INK, width=1, closed=True)  # fmt: skip

    def diode_v(self, x, y, length=50):
        """Diode from (x, y + length) up to (x, y), cathode (band) at the top."""
        mid = y + length / 2
        self.line(x, y + length, x, mid + 7)
        self.poly([(x - 9, mid + 7), (x + 9, mid + 7), (x, mid - 7)], fill="white", closed=True)
        self.line(x - 9, mid - 7, x + 9, mid - 7, width=3)
        self.line(x, mid - 7, x, y)

    def button_h(self, x, y, color=INK):
        """Push button from (x, y) to (x + 60, y)."""
        self.line(x, y, x + 18, y, color)
        self.circle(x + 21, y, 3)
        self.circle(x + 39, y, 3)
        self.line(x + 42, y, x + 60, y, color)
        self.line(x + 16, y - 10, x + 44, y - 10, width=2.5)
        self.line(x + 30, y - 10, x + 30, y - 20, width=2.5)
        self.line(x + 24, y - 20, x + 36, y - 20, width=2.5)

    def npn(self, x, y):
        """NPN transistor; base lead arrives at (x, y). Returns (collector, emitter) points."""
        cx = x + 30
        self.circle(cx, y, 20)
        self.line(x, y, cx - 8, y)
        self.line(cx - 8, y - 12, cx - 8, y + 12, width=3)
        self.line(cx - 8, y - 5, cx + 8, y - 16)
        self.line(cx - 8, y + 5, cx + 8, y + 16)
        self.poly([(cx + 8, y + 16), (cx + 1, y + 15), (cx + 5, y + 9)], fill=INK, closed=True)
        self.line(cx + 8, y - 16, cx + 8, y - 30)
        self.line(cx + 8, y + 16, cx + 8, y + 30)
        return (cx + 8, y - 30), (cx + 8, y + 30)

    def motor(self, x, y):
        self.circle(x, y, 16)
        self.label(x, y + 5, "M", size=15, anchor="middle", weight="bold")
