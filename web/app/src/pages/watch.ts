import { LivestreamError, type PublicStream, Viewer, type ViewerTier } from '../../../sdk/index.ts';
import { type App, describeError, errorLine, heading, poll, showError } from '../app.ts';
import { autoplay, unmuteButton } from '../components/autoplay.ts';
import { ChatPanel } from '../components/chat.ts';
import { countRefreshMs } from '../count-refresh.ts';
import { h } from '../dom.ts';
import { ago, plural } from '../format.ts';
import type { PageContext } from '../router.ts';

const WAIT_FOR_START_MS = 3000;
const LATENCY_REFRESH_MS = 1000;

const TIER_TEXT: Record<ViewerTier, string> = { webrtc: 'Peer-to-peer', hls: 'HLS via CDN' };

const CONNECTION_TEXT: Record<string, string> = {
  new: 'Waiting for the broadcaster…',
  connecting: 'Connecting…',
  connected: '',
  disconnected: 'Connection lost: reconnecting…',
  failed: 'Could not connect to the broadcaster.',
  closed: '',
};

/**
 * Watch a live stream: the broadcaster's video over whichever tier the service placed this viewer
 * in (WebRTC from the broadcaster, or the live ladder over HLS, with how far behind live it
 * plays), the live count of both tiers, chat.
 */
export async function watchPage({ app, view, params, signal, onLeave }: PageContext<App>): Promise<void> {
  const id = params.id ?? '';
  const me = app.session.user?.userId;
  const video = h('video', { autoplay: true, playsinline: true, muted: true, 'data-testid': 'video' });
  video.muted = true;
  const overlay = h(
    'div',
    { class: 'overlay', 'data-testid': 'connection-state', 'aria-live': 'polite' },
    'Loading…',
  );
  const badge = h('span', { class: 'badge dark' }, '…');
  const unmute = unmuteButton(video);
  const count = h('output', { 'data-testid': 'viewer-count', 'aria-live': 'polite' });
  const tierBadge = h('span', { class: 'badge', 'data-testid': 'viewer-tier', hidden: true });
  // Not aria-live: it changes every second.
  const latency = h('span', { class: 'muted', 'data-testid': 'viewer-latency', hidden: true });
  const title = heading('Watch');
  const meta = h('p', { class: 'muted' });
  const description = h('p', {});
  const ended = h('p', {
    class: 'banner ended',
    role: 'status',
    hidden: true,
    'data-testid': 'ended-banner',
  });
  const left = h('p', {
    class: 'banner warn',
    role: 'status',
    hidden: true,
    'data-testid': 'broadcaster-left',
  });
  const error = errorLine('watch-error');
  const chat = new ChatPanel(me);
  let over = false;

  view.append(
    h(
      'div',
      { class: 'split' },
      h(
        'div',
        { class: 'stack' },
        h('div', { class: 'video-frame' }, video, overlay, h('div', { class: 'corner' }, badge)),
        h('div', { class: 'row' }, count, tierBadge, latency, h('span', { class: 'spacer' }), unmute),
        ended,
        left,
        error,
        h('div', {}, title, meta, description),
      ),
      chat.el,
    ),
  );

  let stream = await app.api.getStream(id);
  render(stream);
  if (stream.status === 'ended') return showEnded();

  // Not started yet: wait for it on this page.
  while (stream.status === 'created' && !signal.aborted) {
    overlay.textContent = 'This stream has not started yet. It plays here as soon as it does.';
    await new Promise((resolve) => setTimeout(resolve, WAIT_FOR_START_MS));
    stream = await app.api.getStream(id);
    render(stream);
  }
  if (signal.aborted) return;
  if (stream.status === 'ended') return showEnded();

  const viewer = new Viewer({ api: app.api, streamId: id, video });
  viewer.on('stream', (media) => {
    video.srcObject = media;
    left.hidden = true;
    void autoplay(video, unmute);
  });
  viewer.on('tier', (tier) => {
    tierBadge.textContent = TIER_TEXT[tier];
    tierBadge.dataset.tier = tier;
    tierBadge.hidden = false;
    if (tier !== 'hls' || over) return;
    // The SDK plays the ladder in `video`; the overlay stays until a frame shows. Played once
    // there is something to play: the player setting the source would abort an earlier play().
    overlay.textContent = 'Loading the live stream…';
    overlay.hidden = false;
    video.addEventListener('loadeddata', () => void autoplay(video, unmute), { once: true });
    showLatency();
  });
  video.addEventListener('playing', () => {
    if (viewer.tier === 'hls' && !over) overlay.hidden = true;
  });
  viewer.on('connection', (state) => {
    if (over || viewer.tier === 'hls') return;
    overlay.textContent = CONNECTION_TEXT[state] ?? state;
    overlay.hidden = state === 'connected';
    if (state === 'connected') left.hidden = true;
  });
  viewer.on('broadcaster:left', ({ graceSeconds }) => {
    left.textContent = `The broadcaster lost their connection. The stream continues if they are back within ${graceSeconds} s.`;
    left.hidden = false;
  });
  viewer.on('ended', ({ reason, message, via }) => {
    over = true;
    // How the end came here: `playlist` when the HLS tier played to the playlist's end.
    ended.dataset.via = via;
    void viewer.leave().catch(() => {});
    showEnded(reason === 'terminated' && message ? `This stream has ended: ${message}` : undefined);
  });
  viewer.on('error', (err) => {
    if (!over) showError(error, err);
  });
  onLeave(() => {
    if (!over) return viewer.leave();
  });

  try {
    overlay.textContent = 'Joining…';
    await viewer.join();
  } catch (err) {
    if (signal.aborted) return;
    overlay.textContent = describeError(err);
    if (err instanceof LivestreamError && (err.code === 'STREAM_ENDED' || err.code === 'STREAM_NOT_LIVE')) {
      return showEnded();
    }
    showError(error, err);
    return;
  }
  if (signal.aborted) return void viewer.leave();
  overlay.textContent = CONNECTION_TEXT.new ?? '';
  await chat.attach(viewer.chat);
  if (over) chat.setEnabled(false, 'The stream has ended.');

  let audience = 0;
  poll(
    signal,
    () => countRefreshMs(audience),
    async () => {
      const latest = await app.api.getStream(id);
      audience = latest.viewerCount;
      render(latest);
      return latest.status === 'live' && !over;
    },
  );

  /** The HLS tier's delay behind live, every second, while it plays. */
  function showLatency(): void {
    poll(signal, LATENCY_REFRESH_MS, async () => {
      const seconds = viewer.latencySeconds();
      latency.hidden = over || seconds === undefined;
      if (seconds !== undefined) latency.textContent = `${seconds.toFixed(1)} s behind live`;
      return !over;
    });
  }

  function render(s: PublicStream): void {
    title.textContent = s.title;
    meta.replaceChildren(
      h('span', {}, s.ownerId),
      s.startedAt ? ' · started ' : '',
      s.startedAt ? h('time', { datetime: s.startedAt }, ago(s.startedAt)) : '',
    );
    description.textContent = s.description;
    description.hidden = !s.description;
    if (!over) {
      badge.textContent = s.status === 'live' ? 'LIVE' : s.status.toUpperCase();
      badge.className = `badge ${s.status === 'live' ? 'live' : 'dark'}`;
      count.textContent = s.status === 'live' ? watching(s) : '';
    }
  }

  async function showEnded(note?: string): Promise<void> {
    over = true;
    ended.textContent = note ?? 'This stream has ended.';
    ended.hidden = false;
    left.hidden = true;
    overlay.hidden = false;
    overlay.textContent = 'This stream has ended';
    video.srcObject = null;
    badge.textContent = 'ENDED';
    badge.className = 'badge dark';
    count.textContent = '';
    tierBadge.hidden = true;
    latency.hidden = true;
    chat.detach();
    chat.setEnabled(false, 'The stream has ended.');
    const latest = await app.api.getStream(id).catch(() => undefined);
    if (latest?.recordingEnabled) {
      ended.append(' ', h('a', { href: `#/recordings/${encodeURIComponent(id)}` }, 'Watch the recording'));
    }
    if (!chat.el.querySelector('li')) {
      const history = await app.api.chatHistory(id, { limit: 50 }).catch(() => undefined);
      if (history) chat.showHistory(history.messages);
    }
  }
}

/** `3 viewers watching (1 peer-to-peer, 2 HLS)`; both tiers only once the HLS tier has anyone. */
function watching(s: PublicStream): string {
  const total = `${plural(s.viewerCount, 'viewer')} watching`;
  return s.tiers.hls > 0 ? `${total} (${s.tiers.webrtc} peer-to-peer, ${s.tiers.hls} HLS)` : total;
}
