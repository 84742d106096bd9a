import { Broadcaster, RECOMMENDED_MEDIA } from '../../../sdk/index.ts';
import { type App, describeError, errorLine, heading, showError } from '../app.ts';
import { ChatPanel } from '../components/chat.ts';
import { RecordingStatusLine } from '../components/recording-status.ts';
import { field, h } from '../dom.ts';
import { plural } from '../format.ts';
import type { PageContext } from '../router.ts';

type Phase = 'setup' | 'starting' | 'live' | 'ending' | 'ended';

/**
 * Go live: title, description, recording, a camera preview; then the live panel (viewer count,
 * chat, recording status) until End; then where the recording and the stats are.
 */
export function goLivePage({ app, view, signal, onLeave, guard }: PageContext<App>): void {
  const me = app.session.user?.userId;
  let phase: Phase = 'setup';
  let camera: MediaStream | undefined;
  let broadcaster: Broadcaster | undefined;
  let streamId: string | undefined;

  // The form
  const title = h('input', { name: 'title', required: true, maxlength: 140, 'data-testid': 'live-title' });
  const description = h('textarea', {
    name: 'description',
    maxlength: 2000,
    'data-testid': 'live-description',
  });
  const record = h('input', {
    type: 'checkbox',
    name: 'record',
    id: 'live-record',
    'data-testid': 'live-record',
  });
  record.checked = true;
  const start = h(
    'button',
    { type: 'submit', 'data-testid': 'start-button', disabled: true },
    'Start streaming',
  );
  const formError = errorLine('live-error');
  const form = h(
    'form',
    { class: 'card', novalidate: true },
    field('Title', title),
    field('Description', description, 'Optional, up to 2,000 characters.'),
    h(
      'div',
      { class: 'check' },
      record,
      h('label', { for: 'live-record' }, 'Record this stream (replay it later in Recordings)'),
    ),
    formError,
    h('div', { class: 'actions' }, start),
  );

  // The preview
  const preview = h('video', {
    muted: true,
    autoplay: true,
    playsinline: true,
    'data-testid': 'preview-video',
  });
  preview.muted = true;
  const cameraNote = h('div', { class: 'overlay' }, 'Asking for your camera…');
  const badge = h('span', { class: 'badge dark', 'data-testid': 'live-status' }, 'PREVIEW');
  const retryCamera = h(
    'button',
    { type: 'button', class: 'small secondary', hidden: true },
    'Try the camera again',
  );

  // The live panel
  const viewers = h('output', { 'data-testid': 'viewer-count', 'aria-live': 'polite' }, plural(0, 'viewer'));
  const recordingStatus = new RecordingStatusLine();
  const end = h(
    'button',
    { type: 'button', class: 'danger', 'data-testid': 'end-button', hidden: true },
    'End stream',
  );
  const share = h('p', { class: 'muted', hidden: true });
  const liveError = errorLine('broadcast-error');
  const done = h('div', { class: 'banner', hidden: true, 'data-testid': 'ended-banner' });
  const chat = new ChatPanel(me);

  view.append(
    heading('Go live'),
    h(
      'div',
      { class: 'split' },
      h(
        'div',
        { class: 'stack' },
        h('div', { class: 'video-frame' }, preview, cameraNote, h('div', { class: 'corner' }, badge)),
        h('div', { class: 'row' }, viewers, h('span', { class: 'spacer' }), retryCamera, end),
        share,
        recordingStatus.el,
        liveError,
        done,
        form,
      ),
      chat.el,
    ),
  );

  async function openCamera(): Promise<void> {
    retryCamera.hidden = true;
    cameraNote.hidden = false;
    cameraNote.textContent = 'Asking for your camera…';
    try {
      camera = await navigator.mediaDevices.getUserMedia(RECOMMENDED_MEDIA);
      if (signal.aborted) return stopCamera();
      preview.srcObject = camera;
      cameraNote.hidden = true;
      start.disabled = false;
    } catch (err) {
      cameraNote.textContent = `No camera: ${describeError(err)} Allow the camera for this site, then try again.`;
      retryCamera.hidden = false;
    }
  }
  retryCamera.addEventListener('click', () => void openCamera());

  function stopCamera(): void {
    for (const track of camera?.getTracks() ?? []) track.stop();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (phase !== 'setup' || !camera) return;
    const text = title.value.trim();
    if (!text) {
      showError(formError, new Error('Give the stream a title.'));
      title.setAttribute('aria-invalid', 'true');
      title.focus();
      return;
    }
    title.removeAttribute('aria-invalid');
    showError(formError, undefined);
    setPhase('starting');
    try {
      const created = await app.api.createStream({
        title: text,
        description: description.value.trim(),
        recordingEnabled: record.checked,
      });
      streamId = created.streamId;
      broadcaster = new Broadcaster({ api: app.api, streamId, stream: camera, record: record.checked });
      broadcaster.on('viewers', (n) => {
        viewers.textContent = plural(n, 'viewer');
      });
      broadcaster.on('recording', (progress) => recordingStatus.progress(progress));
      broadcaster.on('error', (err) => showError(liveError, err));
      broadcaster.on('ended', ({ reason, message }) => {
        if (phase === 'live')
          finish(reason === 'terminated' ? `An admin ended the stream: ${message ?? ''}` : undefined);
      });
      await broadcaster.start();
      if (signal.aborted) return;
      setPhase('live');
      await chat.attach(broadcaster.chat);
    } catch (err) {
      showError(formError, err);
      // Started but not connected: end it rather than leave a live stream nobody broadcasts.
      if (streamId) app.api.end(streamId).catch(() => {});
      broadcaster = undefined;
      streamId = undefined;
      setPhase('setup');
    }
  });

  end.addEventListener('click', async () => {
    if (phase !== 'live' || !broadcaster) return;
    setPhase('ending');
    end.textContent = 'Ending…';
    try {
      await broadcaster.stop();
    } catch (err) {
      showError(liveError, err);
    }
    finish();
  });

  function finish(note?: string): void {
    if (phase === 'ended') return;
    setPhase('ended');
    // Ended elsewhere (an admin) leaves the camera on otherwise.
    stopCamera();
    chat.setEnabled(false, 'The stream has ended.');
    const id = streamId ?? '';
    done.replaceChildren(
      h('span', {}, note ?? 'Your stream has ended. '),
      h('a', { href: `#/stats/${encodeURIComponent(id)}`, 'data-testid': 'stats-link' }, 'See its stats'),
      record.checked ? ' · ' : '',
      record.checked ? h('a', { href: `#/recordings/${encodeURIComponent(id)}` }, 'Open the recording') : '',
      ' ',
      h(
        'button',
        { type: 'button', class: 'small secondary', onclick: () => app.router.refresh() },
        'Go live again',
      ),
    );
    if (record.checked) recordingStatus.follow(app.api, id, signal);
  }

  function setPhase(next: Phase): void {
    phase = next;
    const live = next === 'live' || next === 'ending';
    for (const control of [title, description, record, start]) control.disabled = next !== 'setup';
    form.hidden = live || next === 'ended';
    end.hidden = !live;
    end.disabled = next !== 'live';
    badge.textContent = live
      ? 'LIVE'
      : next === 'ended'
        ? 'ENDED'
        : next === 'starting'
          ? 'STARTING'
          : 'PREVIEW';
    badge.className = `badge ${live ? 'live' : 'dark'}`;
    done.hidden = next !== 'ended';
    if (next === 'live' && streamId) {
      const url = `${location.origin}${location.pathname}#/watch/${encodeURIComponent(streamId)}`;
      share.replaceChildren('Viewers watch at ', h('a', { href: url, 'data-testid': 'share-link' }, url));
    }
    share.hidden = !live;
    if (next === 'ended') {
      preview.srcObject = null;
      cameraNote.hidden = false;
      cameraNote.textContent = 'Stream ended';
    }
  }

  guard(() => (phase === 'live' || phase === 'starting' ? 'Leaving this page ends your stream.' : undefined));
  onLeave(async () => {
    if (broadcaster && (phase === 'live' || phase === 'starting')) await broadcaster.stop();
    stopCamera();
  });
  void openCamera();
}
