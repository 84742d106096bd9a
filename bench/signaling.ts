import type { LocalStack } from '../local/stack.ts';
import { type Frame, LightSocket, now } from '../test/support/light-socket.ts';
import { post } from './api.ts';
import { profileCpu } from './cpu-profile.ts';
import { byLabel, type Meter, per, total, type Usage } from './meter.ts';
import { ratio, round, spread } from './stats.ts';

const SDP = { type: 'offer', sdp: `v=0\r\n${'a=x\r\n'.repeat(300)}` };
const ANSWER = { ...SDP, type: 'answer' };
const CANDIDATE = {
  candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

/** The socket actions that relay to a peer (one read, no write each, by design). */
const RELAYS = ['stream:offer:viewer', 'stream:answer', 'stream:ice-candidate'];
const isRelay = (label: string) => RELAYS.some((action) => label === `wsDefault ${action}`);
/** What a viewer's join is made of: the REST join, the upgrade ($connect and its authorizer), `stream:join`. */
const JOIN = ['joinStream', 'wsAuthorize', 'wsConnect', 'wsDefault stream:join'];

interface Viewer {
  viewerId: string;
  socket: LightSocket;
}

/**
 * The broadcaster side, as the web app's would behave: every `stream:viewer:joined` is answered at
 * once with an offer for that viewer. `offeredAt` keeps when each offer left, for the relay time.
 */
function autoOffer(broadcaster: LightSocket) {
  const offeredAt = new Map<string, number>();
  broadcaster.onFrame = (frame: Frame) => {
    if (frame.event !== 'stream:viewer:joined') return;
    const viewerId = frame.data.viewerId as string;
    offeredAt.set(viewerId, now());
    broadcaster.send('stream:offer:viewer', { viewerId, offer: SDP });
  };
  return offeredAt;
}

/** REST join, then the upgrade with the viewer ticket it returned. */
async function joinAndConnect(stack: LocalStack, streamId: string, token: string): Promise<Viewer> {
  const joined = await post(stack, `/${streamId}/join`, token);
  const socket = await LightSocket.connect(joined.signaling.url, joined.signaling.ticket);
  return { viewerId: joined.viewerId, socket };
}

/**
 * `stream:join` -> (broadcaster gets `stream:viewer:joined`, answers with an offer) -> the viewer's
 * `stream:offer:received`. Returns both arrival times after the join was sent, and the offer's relay time.
 */
async function signalJoin(v: Viewer, broadcaster: LightSocket, offeredAt: Map<string, number>) {
  const joinedAtBroadcaster = broadcaster.wait(
    (f) => f.event === 'stream:viewer:joined' && f.data?.viewerId === v.viewerId,
    'stream:viewer:joined',
  );
  const offer = v.socket.wait((f) => f.event === 'stream:offer:received', 'stream:offer:received');
  const sentAt = now();
  v.socket.send('stream:join', {});
  const [joined, offered] = await Promise.all([joinedAtBroadcaster, offer]);
  return {
    toViewerJoinedMs: joined.at - sentAt,
    toOfferMs: offered.at - sentAt,
    offerRelayMs: offered.at - (offeredAt.get(v.viewerId) ?? sentAt),
  };
}

/** One viewer's answer and candidates both ways, one message at a time; the relay time of each. */
async function exchange(v: Viewer, broadcaster: LightSocket, candidates: number): Promise<number[]> {
  const steps: Array<[LightSocket, string, unknown, LightSocket, (f: Frame) => boolean]> = [
    [
      v.socket,
      'stream:answer',
      { answer: ANSWER },
      broadcaster,
      (f) => f.event === 'stream:answer:received' && f.data?.viewerId === v.viewerId,
    ],
  ];
  for (let i = 0; i < candidates; i++) {
    steps.push([
      broadcaster,
      'stream:ice-candidate',
      { viewerId: v.viewerId, candidate: { ...CANDIDATE, candidate: `${CANDIDATE.candidate} ${i}` } },
      v.socket,
      (f) => f.event === 'stream:ice-candidate:received' && f.data?.candidate?.candidate?.endsWith(` ${i}`),
    ]);
    steps.push([
      v.socket,
      'stream:ice-candidate',
      { candidate: { ...CANDIDATE, candidate: `${CANDIDATE.candidate} ${i}` } },
      broadcaster,
      (f) =>
        f.event === 'stream:ice-candidate:received' &&
        f.data?.viewerId === v.viewerId &&
        f.data?.candidate?.candidate?.endsWith(` ${i}`),
    ]);
  }
  const times: number[] = [];
  for (const [from, action, data, to, match] of steps) {
    const arrived = to.wait(match, `${action} relayed`);
    const sentAt = now();
    from.send(action, data);
    times.push((await arrived).at - sentAt);
  }
  return times;
}

const sum = (usage: Record<string, Usage>, labels: (label: string) => boolean) => total(usage, labels);

/**
 * `viewers` viewers join one live stream and signal with its broadcaster through the relay, with
 * protocol-level clients (the broadcaster answers each `stream:viewer:joined` with an offer at
 * once). Twice: one viewer at a time (latency without queueing), then a second set all at once
 * (the burst a popular stream sees when it goes live). Every DynamoDB operation and @connections
 * call is attributed to the handler invocation that made it (bench/meter.ts).
 */
export async function signalingScenario(
  stack: LocalStack,
  meter: Meter,
  options: { viewers: number; candidates: number },
) {
  const { viewers: n, candidates } = options;
  const owner = await stack.issuer.mint({ userId: 'bench-owner' });
  const { streamId } = await post(stack, '/create', owner, { title: 'bench signaling', maxViewers: 2 * n });
  const { signaling } = await post(stack, `/${streamId}/start`, owner);
  const broadcaster = await LightSocket.connect(signaling.url, signaling.ticket);
  await broadcaster.request('stream:offer', {}, 'register');
  const offeredAt = autoOffer(broadcaster);
  const tokens = await Promise.all(
    Array.from({ length: 2 * n }, (_, i) => stack.issuer.mint({ userId: `bench-viewer-${i}` })),
  );
  await meter.settle();
  meter.take();
  const broadcasterBefore = { sent: broadcaster.sent, received: broadcaster.received };

  // One at a time: join, then every relay of each viewer in turn.
  const sequential: Viewer[] = [];
  const joins: Array<Awaited<ReturnType<typeof signalJoin>>> = [];
  const { cpu: joinCpu } = await profileCpu(async () => {
    for (let i = 0; i < n; i++) {
      const v = await joinAndConnect(stack, streamId, tokens[i] as string);
      joins.push(await signalJoin(v, broadcaster, offeredAt));
      sequential.push(v);
    }
    await meter.settle();
  });
  const joinUsage = meter.take();

  const relayTimes: number[] = [];
  const { cpu: relayCpu } = await profileCpu(async () => {
    for (const v of sequential) relayTimes.push(...(await exchange(v, broadcaster, candidates)));
    await meter.settle();
  });
  const relayUsage = meter.take();
  const relays = total(relayUsage, isRelay).invocations + total(joinUsage, isRelay).invocations;
  // Frames that crossed API Gateway per viewer: the viewer's both ways, and the broadcaster's for it.
  const count = (side: 'sent' | 'received') =>
    sequential.reduce((acc, v) => acc + v.socket[side], 0) + broadcaster[side] - broadcasterBefore[side];
  const frames = { inbound: ratio(count('sent'), n), outbound: ratio(count('received'), n) };

  // An idle viewer must send something every < 10 min or API Gateway closes its socket; the protocol
  // has no ping action, so any frame does (answered UNKNOWN_ACTION): what one costs.
  for (const v of sequential) await v.socket.request('keepalive', {}, 'keepalive');
  await meter.settle();
  const keepAliveUsage = total(meter.take());
  // Leaving, one at a time: each viewer closes its socket ($disconnect closes the session, counts it out).
  for (const v of sequential) {
    await v.socket.close();
    await meter.settle(20);
  }
  const leaveUsage = meter.take();

  // All at once: a second set of viewers joins together, then all exchange together.
  const burst = await Promise.all(
    tokens.slice(n).map((token) => joinAndConnect(stack, streamId, token as string)),
  );
  const burstJoins = await Promise.all(burst.map((v) => signalJoin(v, broadcaster, offeredAt)));
  const burstRelays = (await Promise.all(burst.map((v) => exchange(v, broadcaster, candidates)))).flat();
  await meter.settle();
  const burstUsage = meter.take();

  await Promise.all(burst.map((v) => v.socket.close()));
  await broadcaster.close();
  await meter.settle();
  meter.take();

  const joinTotal = sum(joinUsage, (label) => JOIN.includes(label));
  const relayTotal = total(
    { ...relayUsage, offers: total(joinUsage, isRelay) },
    (l) => l === 'offers' || isRelay(l),
  );
  const relayBurstTotal = sum(burstUsage, isRelay);
  const joinDurations = JOIN.map((label) => joinUsage[label]?.durationsMs ?? []);
  const relayDurations = total(relayUsage, isRelay).durationsMs;

  const figures = {
    viewers: n,
    candidatesEachWay: candidates,
    relayedMessagesPerViewer: ratio(relays, n),
    sequential: {
      joinToOfferReceivedMs: spread(joins.map((j) => j.toOfferMs)),
      joinToViewerJoinedMs: spread(joins.map((j) => j.toViewerJoinedMs)),
      relayMs: spread([...joins.map((j) => j.offerRelayMs), ...relayTimes]),
    },
    burst: {
      joinToOfferReceivedMs: spread(burstJoins.map((j) => j.toOfferMs)),
      relayMs: spread([...burstJoins.map((j) => j.offerRelayMs), ...burstRelays]),
    },
    dynamoPerViewerJoin: per(joinTotal, n),
    dynamoPerViewerJoinBurst: per(
      sum(burstUsage, (label) => JOIN.includes(label)),
      n,
    ),
    dynamoPerRelayedMessage: per(relayTotal, relays),
    dynamoPerRelayedMessageBurst: per(relayBurstTotal, relayBurstTotal.invocations),
    dynamoPerViewerLeave: per(total(leaveUsage), n),
    keepAliveFrame: per(keepAliveUsage, n),
    framesPerViewer: frames,
    cpu: {
      handlerCpuMsPerRelayedMessage: round(relayCpu.handlerCpuMs / Math.max(1, relays - n)),
      mainThreadCpuMsPerRelayedMessage: round(relayCpu.mainThreadCpuMs / Math.max(1, relays - n)),
      handlerCpuMsPerJoin: round(joinCpu.handlerCpuMs / n),
      relayPhase: relayCpu,
      joinPhase: joinCpu,
    },
    lambdaMsP50: {
      relay: spread(relayDurations).p50,
      keepAlive: spread(keepAliveUsage.durationsMs).p50,
      leave: spread(total(leaveUsage).durationsMs).p50,
      joinSteps: Object.fromEntries(JOIN.map((label, i) => [label, spread(joinDurations[i] ?? []).p50])),
    },
    byHandler: {
      joinPerViewer: byLabel(joinUsage, n),
      relayPerViewer: byLabel(relayUsage, n),
      leavePerViewer: byLabel(leaveUsage, n),
    },
  };
  const t = figures;
  const table = [
    {
      figure: 'stream:join -> stream:offer:received, one at a time (ms)',
      ...pick(t.sequential.joinToOfferReceivedMs),
    },
    {
      figure: `stream:join -> stream:offer:received, ${n} at once (ms)`,
      ...pick(t.burst.joinToOfferReceivedMs),
    },
    { figure: 'relayed message, one at a time (ms)', ...pick(t.sequential.relayMs) },
    { figure: `relayed message, ${n} viewers at once (ms)`, ...pick(t.burst.relayMs) },
    {
      figure: 'DynamoDB per viewer join (REST + socket)',
      value: `${t.dynamoPerViewerJoin.ops} ops: ${t.dynamoPerViewerJoin.reads} reads, ${t.dynamoPerViewerJoin.writes} writes`,
    },
    {
      figure: 'DynamoDB per relayed message',
      value: `${t.dynamoPerRelayedMessage.reads} reads, ${t.dynamoPerRelayedMessage.writes} writes`,
    },
    {
      figure: 'DynamoDB per viewer leave (socket close)',
      value: `${t.dynamoPerViewerLeave.reads} reads, ${t.dynamoPerViewerLeave.writes} writes`,
    },
    { figure: 'handler CPU per relayed message (ms)', value: t.cpu.handlerCpuMsPerRelayedMessage },
    {
      figure: 'main-thread CPU per relayed message, all of it (ms)',
      value: t.cpu.mainThreadCpuMsPerRelayedMessage,
    },
  ];
  return { table, figures };
}

const pick = (s: { p50: number; p95: number; p99: number }) => ({ p50: s.p50, p95: s.p95, p99: s.p99 });
