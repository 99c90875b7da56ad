/**
 * A Canary's plan as a picture: the predicted canary weight over time as a step line, the
 * promotion window shaded, and, when a measured run is given, what happened drawn over it (the
 * weight Flagger set, failed checks as marks, the verdict). Plain SVG 1.1 text: a step line and a
 * few labels need no charting library, and every library that draws SVG wants a DOM or a canvas.
 */
import type { CanaryPlan, WeightPoint } from './plan.js';

/** What a real release did, to draw over the prediction. */
export interface MeasuredRun {
  readonly weights: readonly WeightPoint[];
  /** Seconds after the apply at which a check failed. */
  readonly failedChecks: readonly number[];
  readonly verdict: { readonly at: number; readonly phase: 'Succeeded' | 'Failed' };
}

const WIDTH = 640;
const HEIGHT = 260;
const MARGIN = { left: 48, right: 16, top: 40, bottom: 40 };

/** Text for an SVG text node or attribute: the five XML specials escaped. */
const xml = (text: string): string => text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

export function planChart(plan: CanaryPlan, measured?: MeasuredRun): string {
  const end = Math.max(plan.promotion.high, measured ? measured.verdict.at : 0, ...(measured?.weights.map((w) => w.at) ?? [])) || 1;
  const innerW = WIDTH - MARGIN.left - MARGIN.right;
  const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
  // Coordinates to a tenth of a pixel: the same plan gives the same bytes, with no float noise.
  const tenth = (v: number): number => Math.round(v * 10) / 10;
  const x = (seconds: number): number => tenth(MARGIN.left + (seconds / end) * innerW);
  const y = (weight: number): number => tenth(MARGIN.top + innerH - (weight / 100) * innerH);
  const steps = (points: readonly WeightPoint[]): string =>
    points.map((p, i) => `${i === 0 ? 'M' : `H${x(p.at)} V`}${i === 0 ? `${x(p.at)},${y(p.weight)}` : y(p.weight)}`).join(' ') + ` H${x(end)}`;
  const secondsTicks = Array.from({ length: 5 }, (_, i) => Math.round((end * i) / 4));
  const title = `${plan.name}: ${plan.strategy} (${plan.provider}), interval ${plan.intervalSeconds}s`;
  const series = plan.exposure.matching ? 'matching requests to the canary' : 'users matching no rule at the canary';
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<title>${xml(title)}</title>`,
    `<text x="${MARGIN.left}" y="16" font-size="13">${xml(title)}</text>`,
    `<text x="${MARGIN.left}" y="30" fill="#555">${xml(`predicted: promoted ${plan.promotion.low}–${plan.promotion.high}s after the apply; rolled back ${plan.rollback.afterFirstFailure}s after a first failing check`)}</text>`,
    `<rect x="${x(plan.promotion.low)}" y="${MARGIN.top}" width="${tenth(x(plan.promotion.high) - x(plan.promotion.low))}" height="${innerH}" fill="#2f7d32" fill-opacity="0.12"><title>promotion window</title></rect>`,
    `<line x1="${MARGIN.left}" y1="${y(0)}" x2="${x(end)}" y2="${y(0)}" stroke="#999"/>`,
    `<line x1="${MARGIN.left}" y1="${y(0)}" x2="${MARGIN.left}" y2="${y(100)}" stroke="#999"/>`,
    ...[0, 50, 100].map((w) => `<text x="${MARGIN.left - 6}" y="${y(w) + 4}" text-anchor="end">${w}%</text>`),
    ...secondsTicks.map((s) => `<text x="${x(s)}" y="${y(0) + 16}" text-anchor="middle">${s}s</text>`),
    `<path class="predicted" d="${steps(plan.weights)}" fill="none" stroke="#1f5fa8" stroke-width="2" stroke-dasharray="6 3"><title>${xml(`predicted: ${series}`)}</title></path>`,
  ];
  if (measured) {
    parts.push(`<path class="measured" d="${steps(measured.weights)}" fill="none" stroke="#c0392b" stroke-width="2"><title>measured weight</title></path>`);
    parts.push(...measured.failedChecks.map((s) => `<circle class="failed-check" cx="${x(s)}" cy="${y(0)}" r="4" fill="#c0392b"><title>failed check at ${s}s</title></circle>`));
    parts.push(`<text class="verdict" x="${x(measured.verdict.at)}" y="${MARGIN.top - 2}" text-anchor="end" fill="#c0392b">${xml(`${measured.verdict.phase} at ${measured.verdict.at}s`)}</text>`);
  }
  parts.push(`<text x="${WIDTH - MARGIN.right}" y="${HEIGHT - 6}" text-anchor="end" fill="#555">${xml(`— — predicted ${series}${measured ? '; —— measured' : ''}`)}</text>`, '</svg>', '');
  return parts.join('\n');
}
