"""Allocation check for the steady-state path (MicroPython unix port only: CPython has no
heap_lock). Run by test_alloc.py with a hub URL:
    alloc_check.py CONFIG.json
Prints `alloc: <bytes> bytes over <n> frames` measured with gc.mem_alloc(), then runs the
same path and whole loop passes under micropython.heap_lock(), where any allocation raises
MemoryError, and prints `locked: <n> frames, <m> loop passes`."""

import gc
import sys

import machine
import micropython
import network
from blinkshot import app, controller
from blinkshot.ticks import ticks_diff, ticks_ms

FRAMES = 1000


def wiggle(a, i):
    """Change the inputs the way a player does: buttons and stick every few frames."""
    pins = a.cfg["pins"]
    if i % 4 == 0:
        machine.fake_press(pins["blink"])
    elif i % 4 == 2:
        machine.fake_release(pins["blink"])
    machine.fake_analog(pins["x"], 20000 + (i * 97) % 30000)


def frames(a, n):
    for i in range(n):
        wiggle(a, i)
        now = ticks_ms()
        a.read_inputs(now)
        a.send_input(now)


def main(path):
    network.fake_access_point("blinkshot-test", "secret-pass", delay_ms=10)
    a = app.create(path, machine, network)
    a.boot(ticks_ms())
    t0 = ticks_ms()
    while a.state != controller.S_PLAY:
        a.step(ticks_ms())
        if ticks_diff(ticks_ms(), t0) > 15000:
            print("never reached play")
            sys.exit(1)
    frames(a, 50)  # warm up
    gc.collect()
    before = gc.mem_alloc()
    frames(a, FRAMES)
    print(f"alloc: {gc.mem_alloc() - before} bytes over {FRAMES} frames")
    sent = a.frames_sent
    micropython.heap_lock()
    try:
        frames(a, FRAMES)
        passes = 0
        t0 = ticks_ms()
        while ticks_diff(ticks_ms(), t0) < 2500:  # covers pings, pongs, LED, WiFi checks
            a.step(ticks_ms())
            passes += 1
    finally:
        micropython.heap_unlock()
    print(f"locked: {a.frames_sent - sent} frames, {passes} loop passes")
    # The mask pool's refills (os.urandom allocates): frames with the loop's idle point in
    # between, as the game loop runs them. Under the lock above a refill cannot happen and
    # frames fell back to the PRNG; here every mask comes from the pool.
    from blinkshot import ws

    ws.refill_masks()
    gc.collect()
    before, refills, fallbacks = gc.mem_alloc(), ws.MASKS[1], ws.MASKS[2]
    for _ in range(800):
        frames(a, 1)
        a.ws.wait(0)
    grown = gc.mem_alloc() - before
    print(
        f"refills: {ws.MASKS[1] - refills} over 800 frames, {grown} bytes, "
        f"fallbacks {ws.MASKS[2] - fallbacks}"
    )
    print("state:", controller.STATE_NAMES[a.state])
    a.ws.close()


main(sys.argv[1])
