import type { Recording } from '../../../sdk/types.ts';
import { type App, errorLine, heading, poll, showError } from '../app.ts';
import { HlsPlayer } from '../components/hls-player.ts';
import { h } from '../dom.ts';
import { bytes, dateTime, duration } from '../format.ts';
import type { PageContext } from '../router.ts';

const BUSY_REFRESH_MS = 2000;

const STATUS_TEXT: Record<Recording['status'], string> = {
  uploading: 'Uploading',
  processing: 'Processing',
  ready: 'Ready',
  failed: 'Failed',
  deleted: 'Deleted',
};
const BADGE: Record<Recording['status'], string> = {
  uploading: 'warn',
  processing: 'warn',
  ready: 'ok',
  failed: 'danger',
  deleted: '',
};

const busy = (r: Recording) => r.status === 'uploading' || r.status === 'processing';

/** The signed-in user's recordings (refreshed while any is still processing), and one playing. */
export async function recordingsPage({
  app,
  view,
  params,
  signal,
  onLeave,
}: PageContext<App>): Promise<void> {
  const playing = params.id;
  const list = h('ul', { class: 'grid', 'data-testid': 'recording-list' });
  const empty = h(
    'p',
    { class: 'card', hidden: true },
    'No recordings yet. ',
    h('a', { href: '#/live' }, 'Go live'),
    ' with “Record this stream” on, and the recording appears here when you end.',
  );
  const error = errorLine();
  const cards = new Map<string, RecordingCard>();
  const playerBox = h('section', { class: 'stack', hidden: !playing, 'aria-label': 'Player' });
  const player = new HlsPlayer();
  onLeave(() => player.destroy());
  let loaded = false;

  view.append(heading('Recordings'), error, playerBox, h('h2', {}, 'Your recordings'), empty, list);

  async function refresh(): Promise<boolean> {
    const { recordings } = await app.api.listRecordings({ limit: 50 });
    showError(error, undefined);
    const seen = new Set<string>();
    for (const { title, recording } of recordings) {
      seen.add(recording.streamId);
      let card = cards.get(recording.streamId);
      if (!card) {
        card = new RecordingCard(title, recording, (id) => remove(id, title));
        cards.set(recording.streamId, card);
      }
      card.update(recording);
    }
    for (const [id, card] of cards) {
      if (!seen.has(id)) {
        card.el.remove();
        cards.delete(id);
      }
    }
    const order = recordings.flatMap(({ recording }) => cards.get(recording.streamId)?.el ?? []);
    // Re-inserting a node drops its focus: reorder only when the order changed.
    if (order.some((el, i) => list.children[i] !== el)) list.replaceChildren(...order);
    empty.hidden = recordings.length > 0;
    return recordings.some((r) => busy(r.recording));
  }

  /** The recording in the URL: anyone's (a viewer replays what they watched), so not from the list. */
  async function refreshPlayer(id: string): Promise<boolean> {
    const [{ recording }, stream] = await Promise.all([
      app.api.getRecording(id),
      app.api.getStream(id).catch(() => undefined),
    ]);
    if (!loaded) showPlayer(stream?.title ?? 'Recording', recording);
    return busy(recording);
  }

  function showPlayer(title: string, recording: Recording): void {
    if (recording.status !== 'ready' || !recording.playbackUrl) {
      playerBox.replaceChildren(
        h('h2', {}, title),
        h(
          'p',
          { class: 'muted', 'data-testid': 'player-status' },
          recording.status === 'failed' || recording.status === 'deleted'
            ? `This recording is ${STATUS_TEXT[recording.status].toLowerCase()}.`
            : `This recording is ${STATUS_TEXT[recording.status].toLowerCase()}: it plays here once ready.`,
        ),
      );
      return;
    }
    loaded = true;
    playerBox.replaceChildren(
      h('h2', {}, title),
      player.el,
      h(
        'p',
        { class: 'muted' },
        `${duration(recording.durationSeconds ?? 0)} · ${recording.renditions.map((r) => r.name).join(', ')} · `,
        h('a', { href: `#/stats/${encodeURIComponent(recording.streamId)}` }, 'Stats'),
      ),
    );
    void player.load(recording.playbackUrl, recording.thumbnailUrl);
  }

  async function remove(id: string, title: string): Promise<void> {
    if (!window.confirm(`Delete the recording of “${title}”? This cannot be undone.`)) return;
    try {
      await app.api.deleteRecording(id);
      cards.get(id)?.el.remove();
      cards.delete(id);
      empty.hidden = cards.size > 0;
      app.notify(`Deleted the recording of “${title}”.`);
      if (playing === id) app.router.navigate('/recordings');
    } catch (err) {
      showError(error, err);
    }
  }

  // Fast while something is processing, then only when asked (the page is reopened or refreshed).
  poll(signal, BUSY_REFRESH_MS, refresh, (err) => showError(error, err));
  if (playing)
    poll(
      signal,
      BUSY_REFRESH_MS,
      () => refreshPlayer(playing),
      (err) => showError(error, err),
    );
}

class RecordingCard {
  readonly el: HTMLLIElement;
  private thumb: HTMLElement = h('div', { class: 'thumb placeholder' }, 'No preview yet');
  private readonly status = h('span', { class: 'badge', 'data-testid': 'recording-status' });
  private readonly progress = h('progress', { max: 100, 'data-testid': 'recording-progress' });
  private readonly meta = h('div', { class: 'meta' });
  private readonly failure = h('p', { class: 'error', hidden: true });
  private readonly play: HTMLAnchorElement;
  private readonly del: HTMLButtonElement;

  constructor(
    private readonly title: string,
    recording: Recording,
    onDelete: (id: string) => void,
  ) {
    const id = recording.streamId;
    this.play = h(
      'a',
      {
        class: 'button small',
        href: `#/recordings/${encodeURIComponent(id)}`,
        'data-testid': 'play-recording',
      },
      'Play',
    );
    this.del = h(
      'button',
      {
        type: 'button',
        class: 'small danger',
        'data-testid': 'delete-recording',
        'aria-label': `Delete ${title}`,
      },
      'Delete',
    );
    this.del.addEventListener('click', () => onDelete(id));
    this.progress.setAttribute('aria-label', `Processing ${title}`);
    this.el = h(
      'li',
      { class: 'card recording-card', 'data-testid': 'recording-item', 'data-stream-id': id },
      this.thumb,
      h('h2', {}, title),
      h('div', { class: 'row' }, this.status),
      this.progress,
      this.meta,
      this.failure,
      h(
        'div',
        { class: 'actions' },
        this.play,
        h('a', { class: 'button small secondary', href: `#/stats/${encodeURIComponent(id)}` }, 'Stats'),
        this.del,
      ),
    );
  }

  update(r: Recording): void {
    this.status.textContent = r.status === 'processing' ? `Processing ${r.progress}%` : STATUS_TEXT[r.status];
    this.status.className = `badge ${BADGE[r.status]}`;
    this.status.dataset.status = r.status;
    this.progress.hidden = !busy(r);
    this.progress.value = r.status === 'uploading' ? 0 : r.progress;
    if (r.status === 'uploading') this.progress.removeAttribute('value');
    this.play.hidden = r.status !== 'ready';
    // The transcode's output would land after a delete's sweep: the API refuses it meanwhile.
    this.del.disabled = r.status === 'processing';
    if (r.thumbnailUrl && !(this.thumb instanceof HTMLImageElement)) {
      const img = h('img', {
        class: 'thumb',
        src: r.thumbnailUrl,
        alt: `Preview of ${this.title}`,
        loading: 'lazy',
      });
      this.thumb.replaceWith(img);
      this.thumb = img;
    }
    this.meta.replaceChildren(
      ...[
        r.durationSeconds !== null ? duration(r.durationSeconds) : null,
        r.sizeBytes !== null ? bytes(r.sizeBytes) : null,
        r.renditions.length ? r.renditions.map((x) => x.name).join(' · ') : null,
        dateTime(r.openedAt),
      ]
        .filter((x): x is string => x !== null)
        .map((text) => h('span', {}, text)),
    );
    this.failure.hidden = !r.failure;
    this.failure.textContent = r.failure ? `${r.failure.code}: ${r.failure.message}` : '';
  }
}
