import { harness } from '../integration/harness.ts';
import { Broadcaster } from './broadcaster.ts';
import type { PeerOptions } from './peers.ts';
import { SignalingClient } from './signaling.ts';
import { type JoinResponse, Viewer } from './viewer.ts';

/**
 * The local stack plus the peers a test made, so that `close()` can end them all: an open
 * wrtc peer connection or socket would keep vitest from exiting.
 */
export async function e2eSession() {
  const h = await harness();
  const broadcasters: Broadcaster[] = [];
  const viewers: Viewer[] = [];

  /** Creates and starts a stream as `owner`; the start response carries the broadcaster's ticket. */
  async function liveStream(owner: string) {
    const { streamId, ownerToken } = await h.newStream(owner);
    const started = await h.call('POST', `/api/livestream/${streamId}/start`, { token: ownerToken });
    if (started.status !== 200) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
    return { streamId, signaling: started.body.signaling as { url: string; ticket: string } };
  }

  /** REST `join` as `userId`, returning its body untouched for assertions. */
  async function join(streamId: string, userId: string): Promise<JoinResponse> {
    const res = await h.call('POST', `/api/livestream/${streamId}/join`, { token: await h.token(userId) });
    if (res.status !== 200) throw new Error(`join: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async function connectViewer(joined: JoinResponse, options: Omit<PeerOptions, 'iceServers'> = {}) {
    const viewer = await Viewer.connect(joined, options);
    viewers.push(viewer);
    return viewer;
  }

  /** A broadcaster on the start response's ticket; REST gives it no ICE servers (host candidates). */
  async function connectBroadcaster(signaling: { url: string; ticket: string }, options: PeerOptions = {}) {
    const broadcaster = new Broadcaster(
      await SignalingClient.connect(signaling.url, signaling.ticket),
      options,
    );
    broadcasters.push(broadcaster);
    return broadcaster;
  }

  /**
   * Everything that went wrong without failing a wait: `stream:error`s, frames that break the
   * documented shapes, and errors inside the peers' event handlers. A clean run has none.
   */
  function problems(): string[] {
    return [...broadcasters, ...viewers].flatMap((peer) => [
      ...peer.signaling.errors.map((e) => `stream:error ${e.code}: ${e.message}`),
      ...peer.signaling.violations.map((v) => `undocumented frame ${v}`),
      ...peer.failures,
    ]);
  }

  async function close(): Promise<void> {
    await Promise.allSettled([...broadcasters, ...viewers].map((peer) => peer.close()));
    await h.close();
  }

  return { ...h, liveStream, join, connectViewer, connectBroadcaster, problems, close };
}

export type E2eSession = Awaited<ReturnType<typeof e2eSession>>;
