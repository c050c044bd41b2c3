// The map's obstacles on the arena background: walls (axis-aligned boxes) and pillars
// (circles), as the hub sends them in welcome.rules.map.obstacles. Drawn in world units under
// the renderer's transform, once per background (render.js caches it), so the glow is cheap.

const WALL_FILL = "#334155";
const WALL_TOP = "#475569";
const EDGE = "#60a5fa";

/** Only obstacles with finite numbers and positive sizes: a bad map draws nothing, not NaN. */
export function validObstacles(obstacles) {
  const ok = (...v) => v.every((n) => Number.isFinite(n));
  return (Array.isArray(obstacles) ? obstacles : []).filter((o) =>
    o?.kind === "wall"
      ? ok(o.x, o.y, o.w, o.h) && o.w > 0 && o.h > 0
      : o?.kind === "pillar" && ok(o.x, o.y, o.r) && o.r > 0,
  );
}

/** Draw every obstacle on `ctx` (a 2D context already in world units). */
export function drawObstacles(ctx, obstacles) {
  const list = validObstacles(obstacles);
  if (list.length === 0) return;
  ctx.save();
  // Soft shadow first, under every obstacle, so neighbouring shapes do not shade each other.
  ctx.fillStyle = "rgba(0, 0, 0, 0.35)";
  for (const o of list) shape(ctx, o, 6);
  for (const o of list) {
    if (o.kind === "wall") {
      const g = ctx.createLinearGradient(o.x, o.y, o.x, o.y + o.h);
      g.addColorStop(0, WALL_TOP);
      g.addColorStop(1, WALL_FILL);
      ctx.fillStyle = g;
    } else {
      const g = ctx.createRadialGradient(o.x - o.r * 0.3, o.y - o.r * 0.3, o.r * 0.1, o.x, o.y, o.r);
      g.addColorStop(0, WALL_TOP);
      g.addColorStop(1, WALL_FILL);
      ctx.fillStyle = g;
    }
    ctx.shadowColor = EDGE;
    ctx.shadowBlur = 12;
    shape(ctx, o, 0);
    ctx.shadowBlur = 0;
    ctx.lineWidth = 3;
    ctx.strokeStyle = EDGE;
    ctx.stroke();
  }
  ctx.restore();
}

/** Path one obstacle (offset down-right by `off` for its shadow) and fill it. */
function shape(ctx, o, off) {
  ctx.beginPath();
  if (o.kind === "wall") ctx.rect(o.x + off, o.y + off, o.w, o.h);
  else ctx.arc(o.x + off, o.y + off, o.r, 0, Math.PI * 2);
  ctx.fill();
}
