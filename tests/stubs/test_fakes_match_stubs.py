"""The virtual board's `machine` and `network` (firmware/host/virtual/) against the published
MicroPython 1.29 ESP32 API (micropython-esp32-stubs, installed into build/esp32-stubs by
`make lint`): every class, function, method and constant of theirs that the firmware uses
exists in the stubs with the same signature and, for constants, the same value.

"Used" is read from the firmware's source: every name the firmware imports from, or reaches as
an attribute in, firmware/blinkshot, main.py and boot.py. MicroPython cannot write positional-
only parameters (`/`), so a stub's positional-only parameter may be an ordinary one in a fake,
at the same place and equally optional; keywords of the API a fake does not model may go to
its **kwargs (the fake refuses them), which keeps the fakes small in the 64 KB heap."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUBS = ROOT / "build" / "esp32-stubs"
VIRTUAL = ROOT / "firmware" / "host" / "virtual"
FIRMWARE = [*sorted((ROOT / "firmware" / "blinkshot").glob("*.py"))]
FIRMWARE += [ROOT / "firmware" / "main.py", ROOT / "firmware" / "boot.py"]


def stub_tree(module):
    path = STUBS / f"{module}.pyi"
    if not path.exists():
        pytest.fail(f"no {path}: run `make lint` once (it installs micropython-esp32-stubs)")
    return ast.parse(path.read_text())


def names_used_by_firmware():
    used = set()
    for path in FIRMWARE:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.ImportFrom) and node.module in ("machine", "network"):
                used.update(a.name for a in node.names)
    return used


def members(tree):
    """{name: node} for a module's or class's functions (lists, for overloads), classes and
    constants (the assigned value node, or None for an annotation without a value)."""
    out = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            if isinstance(node, ast.FunctionDef):
                out.setdefault(node.name, []).append(node)
            else:
                out[node.name] = node
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            out[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = node.value
    return out


def shape(fn):
    """(positional [(name or None if positional-only, optional)], keyword-only {name:
    optional}, has *args, has **kwargs) without self/cls."""
    a = fn.args
    pos = [(p.arg, False, True) for p in a.posonlyargs] + [(p.arg, False, False) for p in a.args]
    defaults = len(a.defaults)
    pos = [(n, i >= len(pos) - defaults, only) for i, (n, _, only) in enumerate(pos)]
    if pos and pos[0][0] in ("self", "cls"):
        pos = pos[1:]
    kw = {p.arg: d is not None for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)}
    return pos, kw, a.vararg is not None, a.kwarg is not None


def merged(overloads):
    """One shape that accepts exactly the calls the overloads accept, by argument count."""
    shapes = [shape(f) for f in overloads]
    longest = max(shapes, key=lambda s: len(s[0]))[0]
    shortest = min(len([p for p in s[0] if not p[1]]) for s in shapes)
    pos = [(n, i >= shortest, only) for i, (n, _, only) in enumerate(longest)]
    kw = {}
    for s in shapes:
        kw.update(s[1])
    return pos, kw, any(s[2] for s in shapes), any(s[3] for s in shapes)


def differences(fake_fn, stub_fns):
    f_pos, f_kw, f_var, f_varkw = shape(fake_fn)
    s_pos, s_kw, s_var, s_varkw = merged(stub_fns)
    problems = []
    if len(f_pos) != len(s_pos):
        problems.append(f"{len(f_pos)} positional parameters, the API has {len(s_pos)}")
    for (fn, fopt, _), (sn, sopt, only) in zip(f_pos, s_pos, strict=False):
        if not only and fn != sn:
            problems.append(f"parameter {fn!r} is {sn!r} in the API")
        if fopt != sopt:
            problems.append(f"parameter {fn!r} is {'optional' if fopt else 'required'} here")
    for name, optional in f_kw.items():
        if name not in s_kw:
            problems.append(f"keyword {name!r} is not in the API")
        elif optional != s_kw[name]:
            problems.append(f"keyword {name!r} is {'optional' if optional else 'required'} here")
    # A keyword of the API that the fake does not model may go to its **kwargs (which then
    # refuses it); a **kwargs that takes what the API does not is a difference.
    missing = sorted(set(s_kw) - set(f_kw))
    if missing and not f_varkw:
        problems.append(f"keyword-only parameters {missing} of the API are not accepted")
    if f_varkw and not (s_varkw or missing):
        problems.append("takes **kwargs, the API does not")
    if f_var != s_var:
        problems.append(f"*args {f_var}, the API has {s_var}")
    return problems


def literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        return None


def compare(fake_members, stub_members, used, where):
    problems = []
    for name, fake in fake_members.items():
        if name.startswith("_") and name != "__init__" or name.startswith("fake_"):
            continue
        if name not in used and name != "__init__":
            continue
        stub = stub_members.get(name)
        label = f"{where}.{name}"
        if stub is None:
            problems.append(f"{label}: not in the ESP32 API (micropython-esp32-stubs 1.29)")
        elif isinstance(fake, list):
            if not isinstance(stub, list):
                problems.append(f"{label}: a function here, not in the API")
            else:
                problems += [f"{label}: {p}" for p in differences(fake[-1], stub)]
        elif isinstance(fake, ast.ClassDef):
            if not isinstance(stub, ast.ClassDef):
                problems.append(f"{label}: a class here, not in the API")
            else:
                problems += compare(members(fake), members(stub), used, label)
        else:
            want = literal(stub) if stub is not None else None
            if want is not None and literal(fake) != want:
                problems.append(f"{label} = {literal(fake)!r}, the API has {want!r}")
    return problems


@pytest.mark.parametrize("module", ["machine", "network"])
def test_fake_matches_the_esp32_api_for_what_the_firmware_uses(module):
    used = names_used_by_firmware() | {"WLAN", "Pin", "ADC", "WDT"}
    fake = members(ast.parse((VIRTUAL / f"{module}.py").read_text()))
    problems = compare(fake, members(stub_tree(module)), used, module)
    assert problems == [], "\n".join(problems)


def test_the_check_finds_a_wrong_signature_and_a_wrong_constant():
    fake = ast.parse(
        "class Pin:\n"
        "    IRQ_FALLING = 99\n"
        "    def __init__(self, id, mode=-1, pull=-1, value=None): pass\n"
        "    def value(self, v=None): pass\n"
        "    def made_up(self): pass\n"
        "def unique_id(x): pass\n"
    )
    used = {"Pin", "IRQ_FALLING", "value", "made_up", "unique_id"}
    problems = "\n".join(compare(members(fake), members(stub_tree("machine")), used, "machine"))
    assert "machine.Pin.IRQ_FALLING = 99, the API has 2" in problems
    assert "machine.Pin.__init__: 4 positional parameters, the API has 3" in problems
    assert "machine.Pin.made_up: not in the ESP32 API" in problems
    assert "machine.unique_id: 1 positional parameters, the API has 0" in problems
    assert "machine.Pin.value" not in problems  # value(v=None) is value() | value(x, /)
    assert "keyword-only parameters ['alt', 'drive', 'value'] of the API" in problems


def test_what_the_firmware_uses_is_found():
    used = names_used_by_firmware()
    for name in ("Pin", "ADC", "WDT", "unique_id", "reset_cause", "WLAN", "isconnected"):
        assert name in used, name
