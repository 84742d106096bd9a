import { SignalingClient } from '../support/signaling-client.ts';
import type { harness } from './harness.ts';

type Harness = Awaited<ReturnType<typeof harness>>;

export interface Viewer {
  userId: string;
  viewerId: string;
  token: string;
  ticket: string;
  client: SignalingClient;
}

/** A live stream of `owner`, with its broadcaster's ticket. */
export async function liveStream(h: Harness, owner: string, maxViewers = 50) {
  const { streamId, ownerToken } = await h.newStream(owner, { body: { maxViewers } });
  const started = await h.call('POST', `/api/livestream/${streamId}/start`, { token: ownerToken });
  if (started.status !== 200) throw new Error(`start failed: ${JSON.stringify(started.body)}`);
  const { url, ticket } = started.body.signaling as { url: string; ticket: string };
  return { streamId, ownerToken, url, ticket };
}

/** Connects a broadcaster and registers it (`stream:offer` -> `stream:offer:ack`). */
export async function broadcaster(url: string, ticket: string): Promise<SignalingClient> {
  const client = await SignalingClient.connect(url, ticket);
  client.send('stream:offer', {});
  await client.next('stream:offer:ack');
  return client;
}

/** REST join + connect + `stream:join` (-> `stream:join:ack`). */
export async function viewer(h: Harness, streamId: string, userId: string): Promise<Viewer> {
  const token = await h.token(userId);
  const joined = await h.call('POST', `/api/livestream/${streamId}/join`, { token });
  if (joined.status !== 200) throw new Error(`join failed: ${JSON.stringify(joined.body)}`);
  const { url, ticket } = joined.body.signaling as { url: string; ticket: string };
  const client = await SignalingClient.connect(url, ticket);
  client.send('stream:join', {});
  await client.next('stream:join:ack');
  return { userId, viewerId: joined.body.viewerId, token, ticket, client };
}

/** A plausible SDP of roughly `bytes` bytes (the service relays it, never parses it). */
export const sdp = (type: 'offer' | 'answer', bytes = 300) => ({
  type,
  sdp: `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\na=x:${'y'.repeat(Math.max(0, bytes - 40))}\r\n`,
});

export const candidate = {
  candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

/** Lets in-flight frames land before asserting that nothing more arrived. */
export const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));
