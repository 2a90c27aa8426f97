// A small SVG bar chart of one pattern over the learner's sessions. Readable without
// colour: every bar carries its value as text, and the chart has a text alternative.

import { formatDate, s } from "./dom.js";

const WIDTH = 320;
const HEIGHT = 140;
const PAD = { top: 18, right: 8, bottom: 22, left: 30 };

export function patternChart(title, points) {
  const values = points.map((p) => p.rate);
  const max = Math.max(...values, 0.001);
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(points.length, 1);
  const barW = Math.max(4, Math.min(36, slot * 0.6));
  const y = (v) => PAD.top + innerH - (v / max) * innerH;
  const described = points.map((p, i) => `session ${i + 1}: ${p.rate} per minute`).join("; ");
  return s(
    "svg",
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", class: "chart", "aria-label": `${title}, occurrences per minute by session, oldest first: ${described}` },
    s("title", {}, `${title}: occurrences per minute by session`),
    s("line", { x1: PAD.left, y1: PAD.top + innerH, x2: WIDTH - PAD.right, y2: PAD.top + innerH, class: "axis" }),
    s("line", { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: PAD.top + innerH, class: "axis" }),
    s("text", { x: PAD.left - 4, y: PAD.top + 4, class: "tick end" }, max.toFixed(1)),
    s("text", { x: PAD.left - 4, y: PAD.top + innerH, class: "tick end" }, "0"),
    points.map((p, i) => {
      const cx = PAD.left + slot * i + slot / 2;
      const top = y(p.rate);
      return [
        s(
          "rect",
          { x: cx - barW / 2, y: top, width: barW, height: Math.max(0, PAD.top + innerH - top), class: p.frequency ? "bar" : "bar zero", "data-rate": p.rate },
          s("title", {}, `Session ${i + 1} (${formatDate(p.at)}): ${p.frequency} times, ${p.rate} per minute`),
        ),
        s("text", { x: cx, y: top - 4, class: "value" }, p.frequency ? p.rate.toFixed(1) : "0"),
        s("text", { x: cx, y: HEIGHT - 6, class: "tick" }, `#${i + 1}`),
      ];
    }),
  );
}
