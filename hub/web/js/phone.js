// Phone page: a touch controller. Virtual joystick (left) and blink/shoot buttons (right)
// drive a ControllerLink, which speaks the firmware's binary protocol to /ws/controller.
// The device id lives in localStorage, so a reload keeps the same player.

import { colorHex } from "./codec.js";
import { ControllerLink, randomDeviceId } from "./controller.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const room = params.get("room") || "default";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const STICK_RANGE = 60; // px of finger travel for full deflection

function deviceId() {
  let id = localStorage.getItem("blinkshot.phone.id");
  if (!/^[0-9a-f]{12}$/.test(id ?? "")) {
    id = randomDeviceId();
    localStorage.setItem("blinkshot.phone.id", id);
  }
  return id;
}

async function pairingCode() {
  const code = params.get("code");
  if (code) return code;
  if (LOOPBACK.has(location.hostname)) {
    try {
      const r = await fetch("/pairing.json", { cache: "no-store" });
      if (r.ok) return (await r.json()).code;
    } catch {
      // fall through to asking
    }
  }
  return askCode("Enter the code shown on the game screen.");
}

function askCode(text, title = "Pairing code") {
  $("overlay").hidden = false;
  $("overlay-title").textContent = title;
  $("overlay-text").textContent = text;
  return new Promise((resolve) => {
    $("code-form").onsubmit = (e) => {
      e.preventDefault();
      const code = $("code-input").value.trim();
      if (!/^\d{6}$/.test(code)) return;
      $("overlay").hidden = true;
      resolve(code);
    };
  });
}

function setStatus(text, on = false) {
  $("status").textContent = text;
  $("status").classList.toggle("on", on);
}

/** Joystick: the base jumps to where the finger lands; deflection is the drag from there. */
function setupStick(link) {
  const zone = $("stick-zone");
  const base = $("stick-base");
  const knob = $("stick-knob");
  let active = null; // {id, x0, y0}
  const place = (dx, dy) => {
    knob.style.transform = `translate(${dx}px, ${dy}px)`;
  };
  const start = (id, x, y) => {
    const r = zone.getBoundingClientRect();
    active = { id, x0: x, y0: y };
    base.style.left = `${x - r.left}px`;
    base.style.top = `${y - r.top}px`;
  };
  const move = (x, y) => {
    let dx = x - active.x0;
    let dy = y - active.y0;
    const len = Math.hypot(dx, dy);
    if (len > STICK_RANGE) {
      dx = (dx / len) * STICK_RANGE;
      dy = (dy / len) * STICK_RANGE;
    }
    place(dx, dy);
    link.setStick((dx / STICK_RANGE) * 1000, (dy / STICK_RANGE) * 1000);
  };
  const end = () => {
    active = null;
    place(0, 0);
    base.style.left = "50%";
    base.style.top = "50%";
    link.setStick(0, 0);
  };
  const find = (list) => [...list].find((t) => t.identifier === active?.id);
  zone.addEventListener(
    "touchstart",
    (e) => {
      e.preventDefault();
      if (active) return;
      const t = e.changedTouches[0];
      start(t.identifier, t.clientX, t.clientY);
    },
    { passive: false },
  );
  zone.addEventListener(
    "touchmove",
    (e) => {
      e.preventDefault();
      const t = find(e.changedTouches);
      if (t) move(t.clientX, t.clientY);
    },
    { passive: false },
  );
  const touchEnd = (e) => {
    if (find(e.changedTouches)) end();
  };
  zone.addEventListener("touchend", touchEnd);
  zone.addEventListener("touchcancel", touchEnd);
  // Mouse, for trying the page on a desktop.
  zone.addEventListener("mousedown", (e) => {
    start("mouse", e.clientX, e.clientY);
    const mm = (ev) => move(ev.clientX, ev.clientY);
    const mu = () => {
      window.removeEventListener("mousemove", mm);
      window.removeEventListener("mouseup", mu);
      end();
    };
    window.addEventListener("mousemove", mm);
    window.addEventListener("mouseup", mu);
  });
}

function setupButton(link, id) {
  const btn = $(id);
  const set = (down) => {
    btn.classList.toggle("down", down);
    link.setButton(id, down);
  };
  btn.addEventListener(
    "touchstart",
    (e) => {
      e.preventDefault();
      set(true);
    },
    { passive: false },
  );
  btn.addEventListener("touchend", (e) => {
    e.preventDefault();
    set(false);
  });
  btn.addEventListener("touchcancel", () => set(false));
  btn.addEventListener("mousedown", () => set(true));
  btn.addEventListener("mouseup", () => set(false));
  btn.addEventListener("mouseleave", () => set(false));
}

function flash(ms) {
  $("flash").classList.add("on");
  setTimeout(() => $("flash").classList.remove("on"), Math.min(ms, 600));
  navigator.vibrate?.(ms);
}

/** Keep the screen on while playing (where the Wake Lock API exists; it needs a gesture). */
function keepAwake() {
  let lock = null;
  const ask = async () => {
    if (lock || !navigator.wakeLock || document.visibilityState !== "visible") return;
    try {
      lock = await navigator.wakeLock.request("screen");
      lock.addEventListener("release", () => {
        lock = null;
      });
    } catch {
      // Refused (battery saver, no gesture yet): the phone may dim; nothing else changes.
    }
  };
  document.addEventListener("touchstart", ask, { passive: true });
  document.addEventListener("visibilitychange", ask);
}

async function start() {
  const nameInput = $("name");
  nameInput.value = localStorage.getItem("blinkshot.phone.name") || params.get("name") || "Phone";
  const code = await pairingCode();
  const link = new ControllerLink({
    url: location.origin,
    room,
    code,
    id: deviceId(),
    name: nameInput.value,
    onWelcome: ({ slot, color }) => {
      document.documentElement.style.setProperty("--me", colorHex(color));
      setStatus(`player ${slot + 1}`, true);
    },
    onFeedback: ({ ms }) => flash(ms),
    onClose: ({ code: c, reason, reconnect, delay }) => {
      if (c === 4004) {
        askCode(reason || "Wrong pairing code.", "Wrong pairing code").then((next) => {
          link.code = next;
          link.restart();
        });
        setStatus("wrong code");
      } else if (c === 4008) {
        setStatus("opened in another tab");
      } else {
        setStatus(reconnect ? `reconnecting in ${(delay / 1000).toFixed(1)} s…` : `closed: ${reason || c}`);
      }
    },
  });
  nameInput.addEventListener("change", () => {
    const name = nameInput.value.trim().slice(0, 16) || "Phone";
    localStorage.setItem("blinkshot.phone.name", name);
    link.name = name;
    link.restart(); // the name travels in the hello
  });
  setupStick(link);
  setupButton(link, "blink");
  setupButton(link, "shoot");
  window.blinkshotPhone = link; // test hook: the link's input and welcome
  keepAwake();
  link.start();
}

start();
