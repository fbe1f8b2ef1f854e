// A metric's daily history as a small SVG chart: the rate per day as a line
// (broken where a day has no data), the target as a dashed line, BAD days as
// marks under the line. Drawn with DOM calls (no inline markup, no library).

import type { MetricDay } from "./gen/sellerhealth/v1/account_health_pb";
import { MetricStatus, TargetCondition } from "./gen/sellerhealth/v1/common_pb";
import { isoDay, percent, target as targetText } from "./format";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 300;
const HEIGHT = 90;
const PAD_TOP = 6;
const PAD_BOTTOM = 14;

function element<K extends keyof SVGElementTagNameMap>(
  name: K,
  attributes: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

/** The chart of `days` (oldest first) against `targetValue`, with a text alternative. */
export function historyChart(
  label: string,
  days: MetricDay[],
  targetValue: number,
  condition: TargetCondition,
): SVGSVGElement {
  const rates = days.map((d) => d.rate).filter((r): r is number => r !== undefined);
  // Rates that must stay low are drawn up to twice their target (or their
  // highest day); rates that must stay high, on the whole 0–100% scale.
  const top = condition === TargetCondition.GREATER_THAN
    ? 1
    : Math.min(1, Math.max(targetValue * 2, ...rates, 0.0001));
  const x = (i: number) => (days.length <= 1 ? WIDTH / 2 : (i / (days.length - 1)) * WIDTH);
  const y = (rate: number) => PAD_TOP + (1 - Math.min(rate, top) / top) * (HEIGHT - PAD_TOP - PAD_BOTTOM);

  const bad = days.filter((d) => d.status === MetricStatus.BAD).length;
  const first = isoDay(days[0]?.date);
  const last = isoDay(days[days.length - 1]?.date);
  const latest = [...days].reverse().find((d) => d.rate !== undefined);
  const summary = `${label}, daily from ${first} to ${last}: target ${targetText(condition, targetValue)}; ` +
    `${bad} bad ${bad === 1 ? "day" : "days"}; ` +
    (latest?.rate !== undefined ? `last figure ${percent(latest.rate)} on ${isoDay(latest.date)}` : "no data");

  const svg = element("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: "chart",
    role: "img",
    "aria-label": summary,
    preserveAspectRatio: "none",
  });
  const title = element("title", {});
  title.textContent = summary;
  svg.append(title);
  svg.append(element("line", { x1: 0, x2: WIDTH, y1: y(0), y2: y(0), class: "axis" }));

  // The line, one segment per run of days with a rate.
  let run: string[] = [];
  const flush = () => {
    if (run.length === 1) run.push(run[0]!.replace(/^([\d.]+)/, (v) => String(Number(v) + 1)));
    if (run.length > 1) svg.append(element("polyline", { points: run.join(" "), class: "rate" }));
    run = [];
  };
  days.forEach((day, i) => {
    if (day.rate === undefined) {
      flush();
    } else {
      run.push(`${x(i).toFixed(1)},${y(day.rate).toFixed(1)}`);
    }
    if (day.status === MetricStatus.BAD) {
      svg.append(element("rect", { x: x(i) - 1, y: HEIGHT - 6, width: 2, height: 5, class: "bad-day" }));
    }
  });
  flush();

  const targetY = y(targetValue);
  svg.append(element("line", { x1: 0, x2: WIDTH, y1: targetY, y2: targetY, class: "target" }));
  return svg;
}
