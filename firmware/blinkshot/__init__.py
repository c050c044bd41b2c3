"""Blinkshot controller firmware (MicroPython). `blinkshot.app.main()` runs it on a device."""

VERSION = "0.1.0"
