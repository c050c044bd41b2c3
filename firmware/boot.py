# Blinkshot boot.py: runs on every boot, including the soft reset mpremote does before a copy,
# so it must return at once: no WiFi, no loops, no waiting. The controller starts in main.py.
import gc

gc.collect()
