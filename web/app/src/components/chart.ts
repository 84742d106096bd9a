import { h, svg } from '../dom.ts';
import { clock, plural } from '../format.ts';

export interface MinutePoint {
  /** ISO start of the minute. */
  readonly minute: string;
  readonly viewers: number;
}

const HEIGHT = 220;
const PAD = { top: 14, right: 12, bottom: 30, left: 40 };
const MINUTE = 60_000;

/**
 * Concurrent viewers per minute as an inline SVG bar chart (no chart library), drawn at the
 * container's real width so its text stays legible on a phone; the same figures as a table for
 * screen readers and keyboard users.
 */
export function concurrencyChart(points: readonly MinutePoint[]): HTMLElement {
  const figure = h('figure', { class: 'chart', 'data-testid': 'stats-chart' });
  if (points.length === 0) {
    figure.append(h('p', { class: 'muted' }, 'No viewers yet: the chart fills in minute by minute.'));
    return figure;
  }
  const peak = points.reduce((best, p) => (p.viewers > best.viewers ? p : best));
  const summary = `Concurrent viewers per minute from ${clock(points[0]?.minute ?? peak.minute)}: peak ${plural(peak.viewers, 'viewer')} at ${clock(peak.minute)}.`;
  const holder = h('div', {});
  const caption = h('figcaption', { class: 'muted' }, summary);
  const table = h(
    'table',
    {},
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Minute'), h('th', { scope: 'col' }, 'Viewers'))),
    h(
      'tbody',
      {},
      ...points.map((p) =>
        h('tr', {}, h('td', {}, h('time', { datetime: p.minute }, clock(p.minute))), h('td', {}, p.viewers)),
      ),
    ),
  );
  figure.append(holder, caption, h('details', {}, h('summary', {}, 'Show the figures'), table));

  let drawnWidth = 0;
  const draw = (width: number) => {
    const w = Math.max(240, Math.round(width));
    if (w === drawnWidth) return;
    drawnWidth = w;
    holder.replaceChildren(render(points, w, summary));
  };
  draw(640);
  if (typeof ResizeObserver !== 'undefined') {
    new ResizeObserver((entries) => {
      const width = entries[0]?.contentRect.width;
      if (width) draw(width);
    }).observe(holder);
  }
  return figure;
}

function render(points: readonly MinutePoint[], width: number, summary: string): SVGSVGElement {
  const first = Date.parse(points[0]?.minute ?? '');
  const last = Date.parse(points[points.length - 1]?.minute ?? '');
  const slots = Math.max(1, Math.round((last - first) / MINUTE) + 1);
  const max = Math.max(1, ...points.map((p) => p.viewers));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slotW = plotW / slots;
  const barW = Math.max(1, Math.min(48, slotW * 0.75));
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const xOf = (iso: string) => PAD.left + ((Date.parse(iso) - first) / MINUTE) * slotW + slotW / 2;

  const grid = [];
  for (let v = 0; v <= top; v += step) {
    grid.push(
      svg('line', { class: 'axis', x1: PAD.left, x2: width - PAD.right, y1: y(v), y2: y(v) }),
      svg('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, v),
    );
  }
  const every = Math.max(1, Math.ceil(slots / Math.max(1, Math.floor(plotW / 64))));
  const labels = points
    .filter((p) => Math.round((Date.parse(p.minute) - first) / MINUTE) % every === 0)
    .map((p) => svg('text', { x: xOf(p.minute), y: HEIGHT - 8, 'text-anchor': 'middle' }, clock(p.minute)));
  const bars = points.map((p) =>
    svg(
      'rect',
      {
        class: 'bar',
        x: xOf(p.minute) - barW / 2,
        y: y(p.viewers),
        width: barW,
        height: Math.max(0, PAD.top + plotH - y(p.viewers)),
        rx: Math.min(3, barW / 4),
      },
      svg('title', {}, `${clock(p.minute)}: ${plural(p.viewers, 'viewer')}`),
    ),
  );
  return svg(
    'svg',
    { width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, role: 'img', 'aria-label': summary },
    ...grid,
    ...bars,
    ...labels,
  );
}

/** 1, 2, 5, 10, 20, 50...: about four gridlines up to `max`. */
function niceStep(max: number): number {
  const raw = max / 4;
  if (raw <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}
