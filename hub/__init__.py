"""Blinkshot hub: serves the arena game and relays ESP32 controllers to browser windows."""

__version__ = "0.1.0"
