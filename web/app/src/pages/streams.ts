import type { PublicStream } from '../../../sdk/types.ts';
import { type App, errorLine, heading, poll, showError } from '../app.ts';
import { h } from '../dom.ts';
import { ago, plural } from '../format.ts';
import type { PageContext } from '../router.ts';

const REFRESH_MS = 5000;

/** Who is live now, refreshed every few seconds. */
export function streamsPage({ app, view, signal }: PageContext<App>): void {
  const list = h('ul', { class: 'grid', 'data-testid': 'stream-list', 'aria-live': 'polite' });
  const empty = h(
    'p',
    { class: 'card', hidden: true, 'data-testid': 'no-streams' },
    'Nobody is live right now. ',
    h('a', { href: '#/live' }, 'Go live'),
    ' yourself, or open this page in another window and go live there.',
  );
  const error = errorLine();
  const refresh = h('button', { type: 'button', class: 'small secondary' }, 'Refresh');

  const load = async () => {
    const page = await app.api.listActive({ limit: 50 });
    showError(error, undefined);
    render(page.streams);
  };
  refresh.addEventListener('click', () => load().catch((err) => showError(error, err)));

  function render(streams: PublicStream[]): void {
    empty.hidden = streams.length > 0;
    list.replaceChildren(...streams.map((s) => card(s)));
  }

  view.append(
    h('div', { class: 'row' }, heading('Live now'), h('span', { class: 'spacer' }), refresh),
    app.session.user
      ? ''
      : h('p', { class: 'muted' }, h('a', { href: '#/sign-in' }, 'Sign in'), ' to watch, chat or go live.'),
    error,
    empty,
    list,
  );
  poll(signal, REFRESH_MS, load, (err) => showError(error, err));
}

function card(s: PublicStream): HTMLLIElement {
  const started = s.startedAt ?? s.createdAt;
  return h(
    'li',
    { class: 'card stream-card', 'data-testid': 'stream-item', 'data-stream-id': s.streamId },
    h(
      'div',
      { class: 'row' },
      h('span', { class: 'badge live' }, 'LIVE'),
      h('span', { class: 'muted' }, s.ownerId),
    ),
    h('h2', {}, s.title),
    s.description ? h('p', { class: 'muted' }, s.description) : null,
    h(
      'div',
      { class: 'meta' },
      h('span', {}, plural(s.viewerCount, 'viewer')),
      h(
        'span',
        {},
        'started ',
        h('time', { datetime: started, title: new Date(started).toLocaleString() }, ago(started)),
      ),
      s.recordingEnabled ? h('span', {}, 'recorded') : null,
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'a',
        {
          class: 'button',
          href: `#/watch/${encodeURIComponent(s.streamId)}`,
          'data-testid': 'watch-link',
          'aria-label': `Watch ${s.title} by ${s.ownerId}`,
        },
        'Watch',
      ),
    ),
  );
}
