import type { LocalStack } from '../local/stack.ts';
import { countDynamoCommands } from '../test/support/dynamo-counter.ts';
import { SignalingClient } from '../test/support/signaling-client.ts';
import { percentile, ratio } from './stats.ts';

const SDP = { type: 'offer', sdp: `v=0\r\n${'a=x\r\n'.repeat(300)}` };
const ANSWER = { ...SDP, type: 'answer' };
const CANDIDATE = {
  candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

async function post(stack: LocalStack, path: string, token: string) {
  const res = await fetch(`${stack.url}/api/livestream${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: path === '/create' ? JSON.stringify({ title: 'bench', maxViewers: 1000 }) : '{}',
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Time from `sentAt` to the arrival of the first `event` frame at `client` after index `from`. */
async function arrival(client: SignalingClient, event: string, from: number, sentAt: number) {
  const frame = await client.waitFor((f, i) => i >= from && f.event === event, event, 10_000, false);
  return (client.receivedAt[client.frames.indexOf(frame)] ?? sentAt) - sentAt;
}

/**
 * `viewers` viewers join one live stream (REST join, connect, stream:join: the DynamoDB figure
 * covers all three), then every viewer
 * and the broadcaster exchange an offer, an answer and candidates through the relay.
 */
export async function signalingScenario(stack: LocalStack, options: { viewers: number; candidates: number }) {
  const counter = countDynamoCommands();
  const owner = await stack.issuer.mint({ userId: 'bench-owner' });
  const { streamId } = await post(stack, '/create', owner);
  const { signaling } = await post(stack, `/${streamId}/start`, owner);
  const b = await SignalingClient.connect(signaling.url, signaling.ticket);
  b.send('stream:offer', {});
  await b.next('stream:offer:ack');

  counter.take();
  const joinMs: number[] = [];
  const viewers: Array<{ viewerId: string; client: SignalingClient }> = [];
  for (let i = 0; i < options.viewers; i++) {
    const token = await stack.issuer.mint({ userId: `bench-viewer-${i}` });
    const joined = await post(stack, `/${streamId}/join`, token);
    const client = await SignalingClient.connect(joined.signaling.url, joined.signaling.ticket);
    const from = b.frames.length;
    const sentAt = performance.now();
    client.send('stream:join', {});
    joinMs.push(await arrival(b, 'stream:viewer:joined', from, sentAt));
    viewers.push({ viewerId: joined.viewerId, client });
  }
  const joinOps = counter.take();

  const relayMs: number[] = [];
  const cpuBefore = process.cpuUsage();
  let relays = 0;
  for (const v of viewers) {
    const exchanges: Array<[SignalingClient, string, unknown, SignalingClient, string]> = [
      [b, 'stream:offer:viewer', { viewerId: v.viewerId, offer: SDP }, v.client, 'stream:offer:received'],
      [v.client, 'stream:answer', { answer: ANSWER }, b, 'stream:answer:received'],
      ...Array.from(
        { length: options.candidates },
        (): [SignalingClient, string, unknown, SignalingClient, string] => [
          b,
          'stream:ice-candidate',
          { viewerId: v.viewerId, candidate: CANDIDATE },
          v.client,
          'stream:ice-candidate:received',
        ],
      ),
      ...Array.from(
        { length: options.candidates },
        (): [SignalingClient, string, unknown, SignalingClient, string] => [
          v.client,
          'stream:ice-candidate',
          { candidate: CANDIDATE },
          b,
          'stream:ice-candidate:received',
        ],
      ),
    ];
    for (const [from, action, data, to, event] of exchanges) {
      const index = to.frames.length;
      const sentAt = performance.now();
      from.send(action, data);
      relayMs.push(await arrival(to, event, index, sentAt));
      relays++;
    }
  }
  const cpu = process.cpuUsage(cpuBefore);
  const relayOps = counter.take();
  await Promise.all([b.close(), ...viewers.map((v) => v.client.close())]);

  return {
    viewers: options.viewers,
    relayedMessages: relays,
    joinToViewerJoinedMs: {
      p50: percentile(joinMs, 50),
      p95: percentile(joinMs, 95),
      p99: percentile(joinMs, 99),
    },
    relayMs: { p50: percentile(relayMs, 50), p95: percentile(relayMs, 95), p99: percentile(relayMs, 99) },
    dynamoPerViewerJoin: {
      reads: ratio(joinOps.reads, options.viewers),
      writes: ratio(joinOps.writes, options.viewers),
    },
    dynamoPerRelayedMessage: { reads: ratio(relayOps.reads, relays), writes: ratio(relayOps.writes, relays) },
    // Whole process: handlers, the emulator and the bench's own clients. An upper bound for the handler.
    processCpuMsPerRelayedMessage: ratio((cpu.user + cpu.system) / 1000, relays),
  };
}
