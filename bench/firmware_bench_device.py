"""Device side of bench/firmware_bench.py: runs under the MicroPython unix port (never CPython),
precompiled, with the fake machine/network on the path. Prints one `RESULT {json}` line.

The real firmware (blinkshot.app.create -> controller.App) boots, joins WiFi (fake), connects
to the driver's WebSocket sink and is welcomed. Then, per measured frame, one button changes
and the loop runs: `seen` is when the firmware's pin read first returns the new level, `sent`
is when the socket send of the 17-byte input frame returns. The peer reads inputs the same way
but builds the frame the naive way. The loop is fed a virtual clock 30 ms apart per pass, so
the 25 ms debounce lockout never gates a measured press; latencies are wall-clock ticks_us.
"""

import gc
import json
import random
import struct
import time
from array import array

import machine
import micropython
import network
from blinkshot import app as fwapp
from blinkshot.ticks import ticks_add, ticks_diff, ticks_ms

NAMES = ("blink", "shoot", "stick")
INPUT_FRAME = 6 + 11  # WebSocket header + mask + the protocol's 11-byte input frame
LOOP_MS = 1  # blinkshot.controller.LOOP_MS, the loop's poll wait
S_PLAY = 4  # blinkshot.controller.S_PLAY; imported only after the config check, like main.py
STEP_MS = 30


class Hist:
    """Latency histogram in fixed arrays (no allocation while recording): 1 us bins to
    0.5 ms, 10 us bins to 5 ms, 1 ms bins to 100 ms (and beyond, in the last bin)."""

    def __init__(self):
        self.fine = array("H", bytearray(2 * 500))
        self.mid = array("H", bytearray(2 * 450))
        self.far = array("H", bytearray(2 * 100))
        self.n = 0
        self.max = 0
        self.lost = 0

    def add(self, us):
        self.n += 1
        if us > self.max:
            self.max = us
        if us < 500:
            self.fine[us] += 1
        elif us < 5000:
            self.mid[(us - 500) // 10] += 1
        elif us < 100000:
            self.far[us // 1000] += 1
        else:
            self.far[99] += 1

    def dump(self, name):
        """Print the bins one per line (`BIN name us count`): no big list on a small heap."""
        for i in range(500):
            if self.fine[i]:
                print("BIN", name, i, self.fine[i])
        for i in range(450):
            if self.mid[i]:
                print("BIN", name, 500 + i * 10, self.mid[i])
        for i in range(100):
            if self.far[i]:
                print("BIN", name, i * 1000, self.far[i])
        return {"n": self.n, "max_us": self.max, "lost": self.lost}


class Bench:
    def __init__(self, cfg_path):
        # app.create checks the config and unloads the checker before importing the
        # controller, as on the board; importing the controller first does not fit 64 KB.
        self.app = a = fwapp.create(cfg_path, machine, network)
        from blinkshot import controller

        assert controller.S_PLAY == S_PLAY and controller.LOOP_MS == LOOP_MS
        self.pins = [a.cfg["pins"][n] for n in NAMES]
        self.held = bytearray(3)
        self.stamp = [0, 0, 0]  # seen (pin read), sent (send returned), ready (send called)
        self.k = 0
        self.seq = 0
        self.naive_sent = 0
        self.vnow = 0

    def connect(self, timeout_ms=15000):
        a = self.app
        t0 = ticks_ms()
        a.boot(t0)
        while a.state != S_PLAY:
            if ticks_diff(ticks_ms(), t0) > timeout_ms:
                raise OSError("firmware did not reach play state; state " + str(a.state))
            a.step(ticks_ms())
        self.hook()
        self.vnow = ticks_ms()

    def hook(self):
        """Stamp `seen` in the pin read and `sent` in the socket send (no allocation)."""
        a = self.app
        stamp = self.stamp
        read = a.hw.pressed
        last = [read()]
        send = a.ws._send

        def pressed():
            m = read()
            if m != last[0]:
                last[0] = m
                if stamp[0] == 0:
                    stamp[0] = time.ticks_us()
            return m

        def timed_send(buf):
            t = time.ticks_us()
            n = send(buf)
            if len(buf) == INPUT_FRAME and stamp[1] == 0:
                stamp[1] = time.ticks_us()
                stamp[2] = t
            return n

        a.hw.pressed = pressed
        a.ws._send = timed_send
        self.send = timed_send

    def hook_wait(self):
        """Make pin changes happen in the loop's idle wait, at a random moment: the wait
        (LOOP_MS, asleep) applies the armed change `delay` us in and stamps it in stamp[0].
        Like a board, the change does not end the wait early (an IRQ only latches it)."""
        stamp = self.stamp
        arm = self.arm = [0, 0]  # armed?, delay us
        real_wait = self.real_wait = self.app.ws._wait
        me = self

        def wait(timeout_ms):
            if timeout_ms == 0:  # a readiness check inside the loop, not the idle wait
                return real_wait(0)
            t0 = time.ticks_us()
            if arm[0]:
                time.sleep_us(arm[1])  # sleeping, like the board idling in poll
                me.change()
                stamp[0] = time.ticks_us()
                arm[0] = 0
            left = timeout_ms * 1000 - time.ticks_diff(time.ticks_us(), t0)
            if left > 0:
                time.sleep_us(left)
            return real_wait(0)

        self.app.ws._wait = wait

    def change(self):
        i = self.k % 3
        self.k += 1
        if self.held[i]:
            machine.fake_release(self.pins[i])
        else:
            machine.fake_press(self.pins[i])
        self.held[i] ^= 1

    def gap_latency(self, run, n, hist):
        """Pin change at a random moment of the idle wait -> input frame written."""
        stamp = self.stamp
        for _ in range(n):
            self.arm[0] = 1
            self.arm[1] = random.getrandbits(10) * LOOP_MS * 1000 >> 10
            self.vnow = ticks_add(self.vnow, STEP_MS)
            run()  # idles; the change happens inside the wait
            stamp[1] = 0
            self.vnow = ticks_add(self.vnow, STEP_MS)
            run()  # sees the change and sends
            if stamp[1]:
                hist.add(time.ticks_diff(stamp[1], stamp[0]))
            else:
                hist.lost += 1

    def toggle(self):
        """Change one button (round robin), so every pass has a change to send."""
        self.change()
        self.stamp[0] = 0
        self.stamp[1] = 0
        self.stamp[2] = 0
        self.vnow = ticks_add(self.vnow, STEP_MS)

    def firmware_pass(self):
        self.app.step(self.vnow)

    def naive_pass(self):
        a = self.app
        if a.read_inputs(self.vnow):
            self.seq = (self.seq + 1) & 0xFFFF
            b = a.buttons
            naive_send(self.send, self.seq, b.held, b.presses, a.stick.x, a.stick.y)
            self.naive_sent += 1
        a.ws.wait(LOOP_MS)  # the firmware loop's cadence: each send then wakes the reader

    def latency(self, run, n, hist, ready):
        stamp = self.stamp
        for _ in range(n):
            self.toggle()
            run()
            if stamp[0] and stamp[1]:
                hist.add(time.ticks_diff(stamp[1], stamp[0]))
                ready.add(time.ticks_diff(stamp[2], stamp[0]))
            else:
                hist.lost += 1

    def allocation(self, run, n):
        """Bytes allocated per frame by `run` alone (the fake pin changes are outside)."""
        total = 0
        frames = 0
        gc.collect()
        gc.disable()
        try:
            for _ in range(n):
                self.toggle()
                a0 = gc.mem_alloc()
                run()
                total += gc.mem_alloc() - a0
                if self.stamp[1]:
                    frames += 1
        finally:
            gc.enable()
        return {"bytes": total, "frames": frames, "per_frame": total / max(frames, 1)}

    def locked(self, run, n):
        """Run under micropython.heap_lock(): any allocation raises MemoryError."""
        frames = 0
        for i in range(n):
            self.toggle()
            micropython.heap_lock()
            try:
                run()
            except MemoryError as e:
                micropython.heap_unlock()
                return {"passes": i, "frames": frames, "memory_error": str(e)}
            micropython.heap_unlock()
            if self.stamp[1]:
                frames += 1
        return {"passes": n, "frames": frames, "memory_error": None}


def build_cost(n, rounds=7):
    """Median over rounds of the mean us to build one masked input frame: the firmware's
    pack_into + in-place mask on a preallocated buffer, against the naive build (no send in
    either; the naive figure includes its share of GC time, which depends on the heap size)."""
    from blinkshot import codec, ws

    frame = ws.Frame(ws.OP_BINARY, codec.INPUT_LEN)
    presses = [1, 2, 3]
    fw = array("f", bytearray(4 * rounds))
    nv = array("f", bytearray(4 * rounds))
    for r in range(rounds):
        t0 = time.ticks_us()
        for i in range(n):
            codec.pack_input(frame.buf, 6, i & 0xFFFF, 5, presses, -700, 700)
            ws.mask_in_place(frame.buf, 6, frame.size)
        fw[r] = time.ticks_diff(time.ticks_us(), t0) / n
        t0 = time.ticks_us()
        for i in range(n):
            naive_send(_discard, i & 0xFFFF, 5, presses, -700, 700)
        nv[r] = time.ticks_diff(time.ticks_us(), t0) / n
    return {"firmware_us": sorted(fw)[rounds // 2], "naive_us": sorted(nv)[rounds // 2]}


def _discard(buf):
    return len(buf)


def naive_send(send, seq, held, presses, x, y):
    """The same 11-byte input frame, built the way a generic MicroPython WebSocket client
    does it: struct.pack, a 32-bit random mask, a generator XOR, concatenation, one write."""
    payload = struct.pack(">BHBBBBhh", 1, seq, held, presses[0], presses[1], presses[2], x, y)
    mask = struct.pack(">I", random.getrandbits(32))
    masked = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
    return send(struct.pack(">BB", 0x82, 0x80 | len(payload)) + mask + masked)


def main(cfg_path, frames, alloc_frames, heap_label):
    gc.collect()
    base = gc.mem_alloc()
    b = Bench(cfg_path)
    b.connect()
    gc.collect()
    live = gc.mem_alloc()
    result = {
        "heap": heap_label,
        "heap_total": gc.mem_alloc() + gc.mem_free(),
        "live_after_connect": live,
        "live_before_firmware": base,
    }
    fw_hist, fw_ready = Hist(), Hist()
    naive_hist, naive_ready = Hist(), Hist()
    # Interleave the two in blocks so both see the same machine load.
    block = 250
    done = 0
    while done < frames:
        n = min(block, frames - done)
        b.app.link.reset(b.vnow)  # the naive block advanced the clock without pings
        b.latency(b.firmware_pass, n, fw_hist, fw_ready)
        b.latency(b.naive_pass, n, naive_hist, naive_ready)
        done += n
    result["firmware_latency"] = fw_hist.dump("firmware")
    result["naive_latency"] = naive_hist.dump("naive")
    result["firmware_ready"] = fw_ready.dump("firmware_ready")
    result["naive_ready"] = naive_ready.dump("naive_ready")
    # The pin change during the idle wait: adds the loop's poll gap (up to LOOP_MS).
    b.hook_wait()
    fw_gap, naive_gap = Hist(), Hist()
    gap_frames = max(frames // 10, 100)
    b.app.link.reset(b.vnow)
    b.gap_latency(b.firmware_pass, gap_frames, fw_gap)
    b.gap_latency(b.naive_pass, gap_frames, naive_gap)
    b.app.ws._wait = b.real_wait
    result["firmware_gap"] = fw_gap.dump("firmware_gap")
    result["naive_gap"] = naive_gap.dump("naive_gap")
    b.app.link.reset(b.vnow)
    result["firmware_alloc"] = b.allocation(b.firmware_pass, alloc_frames)
    # The naive path allocates ~1 KB a frame and the GC is off while counting: keep it short.
    result["naive_alloc"] = b.allocation(b.naive_pass, min(alloc_frames, 10))
    b.app.link.reset(b.vnow)
    result["firmware_locked"] = b.locked(b.firmware_pass, alloc_frames)
    result["naive_locked"] = b.locked(b.naive_pass, alloc_frames)
    result["build"] = build_cost(alloc_frames * 2)
    result["frames_sent_by_firmware"] = b.app.frames_sent
    result["naive_frames"] = b.naive_sent
    gc.collect()
    result["live_at_end"] = gc.mem_alloc()
    print("RESULT " + json.dumps(result))
    b.app.ws.close(1000)
