import type { ChaosRunResult, PhaseResult } from '../core/results.js';
import { escapeHtml as esc, formatMs } from './html-escape.js';

// Inline SVG charts drawn here, without a charting library: the report must
// open offline and stay one file.

const W = 900;
const H = 280;
const M = { top: 16, right: 16, bottom: 36, left: 64 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

const n = (v: number): string => (Math.round(v * 10) / 10).toString();

/** Round tick values from 0 up to the first at or above max: about `count` steps of 1, 2 or 5 × 10^k. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow;
  const ticks: number[] = [];
  // The last tick is the top of the scale, so it must reach max.
  for (let i = 0; ticks.length < 50; i++) {
    const v = Number((i * step).toPrecision(12));
    ticks.push(v);
    if (v >= max) break;
  }
  return ticks;
}

function axes(
  xTicks: number[],
  xLabel: (v: number) => string,
  x: (v: number) => number,
  yTicks: number[],
  y: (v: number) => number,
  yLabel: (v: number) => string,
): string {
  const parts: string[] = [];
  for (const t of yTicks) {
    parts.push(
      `<path class="grid" d="M${M.left} ${n(y(t))}H${M.left + PW}"/>`,
      `<text class="tick" x="${M.left - 6}" y="${n(y(t) + 4)}" text-anchor="end">${esc(yLabel(t))}</text>`,
    );
  }
  for (const t of xTicks) {
    parts.push(
      `<text class="tick" x="${n(x(t))}" y="${M.top + PH + 16}" text-anchor="middle">${esc(xLabel(t))}</text>`,
    );
  }
  parts.push(`<path class="axis" d="M${M.left} ${M.top}V${M.top + PH}H${M.left + PW}"/>`);
  return parts.join('');
}

/**
 * Latency of every request over the run (ms since start), errors marked,
 * fault windows shaded and phase boundaries drawn.
 */
export function latencyChart(r: ChaosRunResult): string {
  const { x, y, parts } = timeFrame(
    r,
    Math.max(1, r.endedAt - r.startedAt, ...r.timeline.map((p) => p.t)),
    Math.max(1, ...r.timeline.map((p) => p.latencyMs)),
    formatMs,
  );
  const points = [...r.timeline].sort((a, b) => a.t - b.t);
  if (points.length === 0) {
    parts.push(`<text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">no requests recorded</text>`);
  } else {
    const ok = points.filter((p) => p.status > 0 && p.status < 500);
    if (ok.length > 0) {
      const d = ok.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(x(p.t))} ${n(y(p.latencyMs))}`).join('');
      parts.push(`<path class="latency" d="${d}"/>`);
      // A dot per point too, so a single success still shows.
      parts.push(
        `<path class="latency-dot" d="${ok.map((p) => `M${n(x(p.t))} ${n(y(p.latencyMs))}h0.01`).join('')}"/>`,
      );
    }
    const failed = points.filter((p) => p.status === 0 || p.status >= 500);
    if (failed.length > 0) {
      const d = failed
        .map((p) => {
          const cx = x(p.t);
          const cy = y(p.latencyMs);
          return `M${n(cx - 3)} ${n(cy - 3)}l6 6M${n(cx - 3)} ${n(cy + 3)}l6 -6`;
        })
        .join('');
      parts.push(`<path class="error-mark" d="${d}"><title>${failed.length} failed requests</title></path>`);
    }
  }
  return svg(`Latency over time: ${r.scenario}`, parts.join(''));
}

/**
 * The frame of a chart over the run's time (ms since it started, up to
 * `duration`) and values from 0 to about `max`: scales, axes, fault windows and
 * phase starts, as the first of `parts`.
 */
function timeFrame(r: ChaosRunResult, duration: number, max: number, yLabel: (v: number) => string) {
  const yTicks = niceTicks(max * 1.05);
  const yMax = yTicks[yTicks.length - 1] as number;
  const x = (t: number): number => M.left + (Math.min(Math.max(t, 0), duration) / duration) * PW;
  const y = (v: number): number => M.top + PH - (Math.min(v, yMax) / yMax) * PH;
  const xTicks = niceTicks(duration / 1000).map((s) => s * 1000);
  const parts = [backdrop(r, x), axes(xTicks, (t) => `${t / 1000}s`, x, yTicks, y, yLabel)];
  return { x, y, parts };
}

/** Fault windows shaded and phase starts drawn, on a time axis `x` (ms since the run started). */
function backdrop(r: ChaosRunResult, x: (t: number) => number): string {
  const parts: string[] = [];
  for (const f of r.faults) {
    const x0 = x(f.startedAt - r.startedAt);
    const x1 = x(f.endedAt - r.startedAt);
    parts.push(
      `<rect class="fault" x="${n(x0)}" y="${M.top}" width="${n(Math.max(1, x1 - x0))}" height="${PH}"><title>${esc(`${f.type} on ${f.proxy} (${f.toxic}): ${formatMs(f.endedAt - f.startedAt)}`)}</title></rect>`,
      `<text class="fault-label" x="${n(x0 + 4)}" y="${M.top + 12}">${esc(`${f.type} @ ${f.proxy}`)}</text>`,
    );
  }
  for (const p of r.phases) {
    const px = x(p.startedAt - r.startedAt);
    parts.push(
      `<path class="phase" d="M${n(px)} ${M.top}V${M.top + PH}"/>`,
      `<text class="phase-label" x="${n(px + 4)}" y="${M.top + PH - 6}">${esc(p.name)}</text>`,
    );
  }
  return parts.join('');
}

/**
 * Consumer lag over the run (messages, one line per sampled group), fault
 * windows shaded and phase starts drawn; empty string when nothing was sampled.
 */
export function lagChart(r: ChaosRunResult): string {
  const series = (r.consumerLag ?? []).filter((l) => l.points.length > 0);
  if (series.length === 0) return '';
  const all = series.flatMap((l) => l.points);
  const { x, y, parts } = timeFrame(
    r,
    Math.max(1, r.endedAt - r.startedAt, ...all.map((p) => p.at - r.startedAt)),
    Math.max(1, ...all.map((p) => p.lag)),
    String,
  );
  for (const l of series) {
    const d = l.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(x(p.at - r.startedAt))} ${n(y(p.lag))}`).join('');
    const peak = Math.max(...l.points.map((p) => p.lag));
    parts.push(
      `<path class="lag" d="${d}"><title>${esc(`${l.consumer}: group ${l.group} on ${l.topic}, max lag ${peak}`)}</title></path>`,
      `<path class="latency-dot" d="${l.points.map((p) => `M${n(x(p.at - r.startedAt))} ${n(y(p.lag))}h0.01`).join('')}"/>`,
    );
  }
  return svg(`Consumer lag over time: ${r.scenario}`, parts.join(''));
}

/** Grouped bars of p50/p95/p99 per phase. */
export function phaseLatencyChart(phases: readonly PhaseResult[]): string {
  const keys = ['p50', 'p95', 'p99'] as const;
  const max = Math.max(1, ...phases.flatMap((p) => keys.map((k) => p.latencyMs[k])));
  const yTicks = niceTicks(max * 1.05);
  const yMax = yTicks[yTicks.length - 1] as number;
  const y = (ms: number): number => M.top + PH - (Math.min(ms, yMax) / yMax) * PH;
  const slot = PW / Math.max(1, phases.length);
  const bar = Math.min(40, (slot * 0.8) / keys.length);
  const parts: string[] = [
    axes(
      [],
      String,
      () => 0,
      yTicks,
      y,
      (v) => formatMs(v),
    ),
  ];
  phases.forEach((p, i) => {
    const x0 = M.left + i * slot + (slot - bar * keys.length) / 2;
    keys.forEach((k, j) => {
      const v = p.latencyMs[k];
      const bx = x0 + j * bar;
      parts.push(
        `<path class="bar ${k}" d="M${n(bx)} ${n(y(0))}V${n(y(v))}h${n(bar - 2)}V${n(y(0))}Z"><title>${esc(`${p.name} ${k}: ${formatMs(v)}`)}</title></path>`,
      );
    });
    parts.push(
      `<text class="tick" x="${n(M.left + i * slot + slot / 2)}" y="${M.top + PH + 16}" text-anchor="middle">${esc(p.name)}</text>`,
    );
  });
  const legend = keys
    .map(
      (k, j) =>
        `<path class="bar ${k}" d="M${M.left + PW - 150 + j * 50} ${M.top}h10v10h-10Z"/><text class="tick" x="${M.left + PW - 136 + j * 50}" y="${M.top + 9}">${k}</text>`,
    )
    .join('');
  parts.push(legend);
  return svg('Latency per phase', parts.join(''));
}

function svg(label: string, body: string): string {
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
}
