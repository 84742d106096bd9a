import { h } from '../dom.ts';

/**
 * Starts a video with sound when the browser allows it, else muted (autoplay policies allow
 * that) with an Unmute button shown; resolves with what happened.
 */
export async function autoplay(
  video: HTMLVideoElement,
  unmute: HTMLButtonElement,
): Promise<'sound' | 'muted' | 'blocked'> {
  try {
    video.muted = false;
    await video.play();
    unmute.hidden = true;
    return 'sound';
  } catch {
    video.muted = true;
    try {
      await video.play();
      unmute.hidden = false;
      return 'muted';
    } catch {
      unmute.hidden = false;
      return 'blocked';
    }
  }
}

/** The Unmute button `autoplay` shows: one click plays with sound. */
export function unmuteButton(video: HTMLVideoElement): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'small', hidden: true }, 'Unmute');
  button.addEventListener('click', () => {
    video.muted = false;
    void video.play().catch(() => {});
    button.hidden = true;
  });
  return button;
}
