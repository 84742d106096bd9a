import type { StreamStats } from '../../../sdk/types.ts';
import { type App, errorLine, heading, poll, showError } from '../app.ts';
import { concurrencyChart } from '../components/chart.ts';
import { h } from '../dom.ts';
import { dateTime, duration } from '../format.ts';
import type { PageContext } from '../router.ts';

const LIVE_REFRESH_MS = 10_000;

/** The owner's figures for one stream; refreshed while it is live. */
export async function statsPage({ app, view, params, signal }: PageContext<App>): Promise<void> {
  const id = params.id ?? '';
  const title = heading('Stats');
  const subtitle = h('p', { class: 'muted' });
  const error = errorLine('stats-error');
  const body = h('div', { class: 'stack' });
  view.append(title, subtitle, error, body);

  const stream = await app.api.getStream(id).catch(() => undefined);
  if (stream) {
    title.textContent = `Stats: ${stream.title}`;
    subtitle.textContent = `${stream.ownerId} · ${stream.status}`;
  }

  poll(
    signal,
    LIVE_REFRESH_MS,
    async () => {
      const stats = await app.api.stats(id);
      showError(error, undefined);
      body.replaceChildren(...render(stats));
      return stats.status === 'live';
    },
    (err) => showError(error, err),
  );
}

function figure(label: string, value: string, testId: string): HTMLElement {
  return h('div', { class: 'figure card' }, h('dt', {}, label), h('dd', { 'data-testid': testId }, value));
}

function render(s: StreamStats): HTMLElement[] {
  const when = [
    s.startedAt ? `Started ${dateTime(s.startedAt)}` : 'Not started',
    s.endedAt ? `ended ${dateTime(s.endedAt)}` : s.status === 'live' ? 'live now' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return [
    h('p', { 'data-testid': 'stats-when' }, when),
    h(
      'dl',
      { class: 'figures', 'aria-live': 'polite' },
      figure('Watching now', String(s.currentViewers), 'stats-current'),
      figure('Peak viewers', String(s.peakViewers), 'stats-peak'),
      figure('Total views', String(s.totalViews), 'stats-total-views'),
      figure('Unique viewers', String(s.uniqueViewers), 'stats-unique'),
      figure('Average watch time', duration(s.watchTime.averageSeconds), 'stats-watch-average'),
      figure('Total watch time', duration(s.watchTime.totalSeconds), 'stats-watch-total'),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Concurrent viewers per minute'),
      concurrencyChart(s.concurrency),
    ),
    h(
      'p',
      { class: 'actions' },
      h('a', { href: `#/recordings/${encodeURIComponent(s.streamId)}` }, 'Recording'),
      h('a', { href: '#/live' }, 'Go live again'),
    ),
  ];
}
