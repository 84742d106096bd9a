import type { default as Hls, Level } from 'hls.js';
import { h } from '../dom.ts';
import { autoplay, unmuteButton } from './autoplay.ts';

/**
 * A recording's HLS ladder played with hls.js, with a quality selector built from the levels
 * hls.js found in the master playlist: Auto (adaptive), then each rendition (360p, 480p, ...).
 * Safari plays HLS natively, where the browser alone picks the rendition. hls.js (~500 kB) is
 * loaded with the first recording played, not with the app.
 */
export class HlsPlayer {
  readonly el: HTMLElement;
  readonly video = h('video', { controls: true, playsinline: true, 'data-testid': 'replay-video' });
  private readonly select = h('select', { 'data-testid': 'quality-select', disabled: true });
  private readonly current = h('span', {
    class: 'muted',
    'data-testid': 'current-quality',
    'aria-live': 'polite',
  });
  private readonly error = h('p', { class: 'error', role: 'alert', hidden: true });
  private readonly unmute = unmuteButton(this.video);
  private hls: Hls | undefined;
  /** Bumped by every load and destroy: a load that finds it changed was superseded. */
  private generation = 0;

  constructor() {
    const selectId = `quality-${Math.random().toString(36).slice(2, 8)}`;
    this.select.id = selectId;
    this.select.append(h('option', { value: '-1' }, 'Auto'));
    this.select.addEventListener('change', () => {
      // currentLevel switches now (flushing what is buffered); -1 hands the choice back to ABR.
      if (this.hls) this.hls.currentLevel = Number(this.select.value);
    });
    this.el = h(
      'div',
      { class: 'stack' },
      h('div', { class: 'video-frame' }, this.video),
      h(
        'div',
        { class: 'row' },
        h('label', { for: selectId }, 'Quality'),
        this.select,
        this.current,
        h('span', { class: 'spacer' }),
        this.unmute,
      ),
      this.error,
    );
  }

  /** Plays the master playlist at `url`. */
  async load(url: string, poster?: string | null): Promise<void> {
    this.destroy();
    const generation = this.generation;
    if (poster) this.video.poster = poster;
    let Hls: typeof import('hls.js').default;
    try {
      Hls = (await import('hls.js')).default;
    } catch {
      return this.fail('The player could not be loaded. Reload the page to try again.');
    }
    if (generation !== this.generation) return;
    if (Hls.isSupported()) {
      const hls = new Hls({ enableWorker: true });
      this.hls = hls;
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        this.levels(hls.levels);
        void autoplay(this.video, this.unmute);
      });
      hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => {
        const level = hls.levels[data.level];
        const label = level ? labelOf(level) : '';
        this.current.textContent = hls.autoLevelEnabled ? `Auto: playing ${label}` : `Playing ${label}`;
      });
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
        else this.fail(`Playback failed (${data.details}).`);
      });
      hls.loadSource(url);
      hls.attachMedia(this.video);
    } else if (this.video.canPlayType('application/vnd.apple.mpegurl')) {
      this.video.src = url;
      this.select.replaceChildren(h('option', { value: '-1' }, 'Auto (chosen by the browser)'));
      void autoplay(this.video, this.unmute);
    } else {
      this.fail('This browser cannot play HLS.');
    }
  }

  destroy(): void {
    this.generation++;
    this.hls?.destroy();
    this.hls = undefined;
    this.video.removeAttribute('src');
    this.video.load();
  }

  private levels(levels: Level[]): void {
    const options = levels
      .map((level, index) => ({ index, level }))
      .sort((a, b) => a.level.height - b.level.height || a.level.bitrate - b.level.bitrate);
    this.select.replaceChildren(
      h('option', { value: '-1' }, 'Auto'),
      ...options.map(({ index, level }) => h('option', { value: String(index) }, labelOf(level))),
    );
    this.select.value = '-1';
    this.select.disabled = levels.length < 2;
  }

  private fail(message: string): void {
    this.error.textContent = message;
    this.error.hidden = false;
  }
}

/** `720p`, or the playlist's NAME when a rendition has no height. */
function labelOf(level: Level): string {
  return level.height ? `${level.height}p` : level.name || `${Math.round(level.bitrate / 1000)} kb/s`;
}
