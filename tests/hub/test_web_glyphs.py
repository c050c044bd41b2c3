"""The page draws its icons itself: no emoji or pictograph in hub/web, which a browser
without an emoji font (Debian's headless Chromium, many Linux desktops) draws as a box.

Text may use typographic characters every text font has (dashes, the middle dot, the
ellipsis, x and minus signs, the four arrows); Unicode "other symbols" (So: emoji, dingbats,
pictographs), private-use code points (icon fonts) and the emoji joiners may not, whether
written raw or as an escape (HTML &#x..;, JS \\u.., CSS \\..)."""

import re
import unicodedata
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "hub" / "web"
# Emoji presentation selector and zero-width joiner: only emoji sequences use them.
JOINERS = {"\ufe0f", "\u200d"}
ESCAPES = {
    ".html": re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);"),
    ".js": re.compile(r"\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})"),
    ".css": re.compile(r"\\([0-9a-fA-F]{1,6})"),
}


def font_dependent(ch):
    """True for a character only an emoji, symbol or icon font can draw."""
    return ch in JOINERS or unicodedata.category(ch) in ("So", "Co", "Cs")


def escaped_chars(path, text):
    """The characters written as escapes in this file's language."""
    pattern = ESCAPES.get(path.suffix)
    for m in pattern.finditer(text) if pattern else ():
        code = next(g for g in m.groups() if g)
        if path.suffix == ".html":
            value = int(code[1:], 16) if code.startswith("x") else int(code)
        else:
            value = int(code, 16)
        if value <= 0x10FFFF:
            yield chr(value)


def offenders(path, root=WEB):
    text = path.read_text(encoding="utf-8")
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        for ch in (*line, *escaped_chars(path, line)):
            if font_dependent(ch):
                name = unicodedata.name(ch, "?")
                found.append(f"{path.relative_to(root)}:{n}: U+{ord(ch):04X} {name}")
    return found


def web_files():
    return sorted(p for p in WEB.rglob("*") if p.suffix in (".html", ".js", ".css", ".svg"))


def test_the_page_uses_no_emoji_or_pictograph():
    files = web_files()
    assert len(files) > 10, "hub/web moved? the scan found almost nothing"
    found = [line for p in files for line in offenders(p)]
    assert found == [], "draw these as inline SVG instead:\n" + "\n".join(found)


def test_the_scan_catches_raw_and_escaped_emoji(tmp_path):
    samples = {
        "raw.html": "<button>\U0001f50a</button>",
        "ref.html": "<b>&#x1F507;</b><b>&#9733;</b>",
        "esc.js": 'b.textContent = "\\u{1F50A}" + "\\u2605";',
        "esc.css": '.m::before { content: "\\1F507"; }',
        "icon.css": '.i::before { content: "\ue001"; }',
    }
    for name, text in samples.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert offenders(path, tmp_path), f"{name} slipped through"


def test_typographic_characters_are_allowed():
    assert not any(font_dependent(ch) for ch in "…·–−×←↑→↓é")
