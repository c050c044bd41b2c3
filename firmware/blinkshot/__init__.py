"""Blinkshot controller firmware (MicroPython). `blinkshot.app.main()` runs it on a device."""

VERSION = "0.1.0"


def unload(*names):
    """Drop blinkshot modules needed only now and then, so their code leaves the heap."""
    import gc
    import sys

    for name in names:
        sys.modules.pop("blinkshot." + name, None)
        globals().pop(name, None)  # the package keeps a reference too
    gc.collect()
