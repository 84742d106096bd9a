import type { Worker } from 'node:worker_threads';
import { eventSources } from '../functions/manifest.ts';
import type { LocalStack } from '../local/stack.ts';
import { now } from '../test/support/light-socket.ts';
import { post } from './api.ts';
import type { ListenerRequest, ListenerSetup } from './chat-listeners.ts';
import type { SenderResult, SenderSetup } from './chat-senders.ts';
import { profileCpu } from './cpu-profile.ts';
import { byLabel, type Meter, per, total, type Usage } from './meter.ts';
import { ratio, round, spread } from './stats.ts';
import { resultOf, startWorker } from './worker.ts';

export interface ChatOptions {
  /** Chat-only connections in the room. */
  members: number;
  /** Users posting the flood (each within the per-user limit, raised for the bench). */
  senders: number;
  ratePerSecond: number;
  floodSeconds: number;
}

const FAN_OUT = 'chatFanOut';
/** Posts waiting for an answer at most: 200 users with a post each in flight. */
const MAX_IN_FLIGHT = 200;
/** The local event source mapping's batching window (AWS deploys 0 and polls about 4 times a second). */
const WINDOW_SECONDS = eventSources.find((s) => s.kind === 'dynamodb-stream' && s.handler === FAN_OUT);

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Request/response over a worker's messages, matched by id. */
function requester(worker: Worker) {
  let nextId = 0;
  const pending = new Map<number, (body: Record<string, unknown>) => void>();
  worker.on('message', (message: { id?: number }) => {
    if (message.id !== undefined) pending.get(message.id)?.(message as Record<string, unknown>);
  });
  return <T>(request: WithoutId<ListenerRequest>): Promise<T> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, (body) => {
        pending.delete(id);
        resolve(body as T);
      });
      worker.postMessage({ ...request, id });
    });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `work`, or nothing after `ms` (the checks after it say what is missing). */
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** The fan-out's figures in `usage`: invocations, their wall time, posts and room reads. */
function fanOut(usage: Record<string, Usage>, messages: number) {
  const u = usage[FAN_OUT] ?? total({});
  return {
    invocations: u.invocations,
    messagesPerInvocation: ratio(messages, u.invocations),
    invocationMs: spread(u.durationsMs.map((d) => round(d))),
    postToConnectionCalls: u.posts,
    postToConnectionPerMessage: ratio(u.posts, messages),
    billedMessageUnits: u.postUnits,
    meanFrameBytes: ratio(u.postBytes, u.posts),
    roomQueries: u.commands.QueryCommand ?? 0,
    roomQueryRru: round(u.rru, 1),
    goneDeletes: u.commands.DeleteItemCommand ?? 0,
  };
}

/**
 * Scenario 2: `members` chat-only connections in one live stream's room (their clients in a
 * worker thread), one message posted over REST to all of them, then a flood of `ratePerSecond`
 * posts for `floodSeconds` from `senders` users (another worker thread, open loop). Delivery runs
 * the real path: the chat table's stream feeds the fan-out, which posts to each member through
 * @connections. Counts come from bench/meter.ts; delivery and frames from the members' clients.
 */
export async function chatScenario(stack: LocalStack, meter: Meter, options: ChatOptions) {
  const api = (path: string, token: string, body: unknown = {}) => post(stack, path, token, body);
  const owner = await stack.issuer.mint({ userId: 'bench-chat-owner' });
  const { streamId } = await api('/create', owner, { title: 'bench chat', maxViewers: 10 });
  await api(`/${streamId}/start`, owner);

  // The members: chat tickets over REST here, connections and join-livestream in the worker.
  await meter.settle();
  meter.take();
  const joinStarted = now();
  const tickets: ListenerSetup['tickets'] = new Array(options.members);
  let nextTicket = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (nextTicket < options.members) {
        const i = nextTicket++;
        const token = await stack.issuer.mint({ userId: `bench-member-${i}` });
        tickets[i] = (await api(`/${streamId}/chat/ticket`, token)).signaling;
      }
    }),
  );
  const listeners = startWorker(new URL('./chat-listeners.ts', import.meta.url), {
    tickets,
    streamId,
    openWidth: 50,
  } satisfies ListenerSetup);
  const ready = await resultOf<{ members: number; failures: string[]; openMs: number }>(listeners);
  const ask = requester(listeners);
  const joinSeconds = round((now() - joinStarted) / 1000, 1);
  await meter.settle();
  const joinUsage = meter.take();
  if (ready.failures.length)
    throw new Error(`members could not join: ${ready.failures.slice(0, 3).join('; ')}`);

  try {
    // One message to everyone.
    const announcer = await stack.issuer.mint({ userId: 'bench-announcer' });
    const postedAt = now();
    await api(`/${streamId}/chat`, announcer, { message: 'single' });
    const answeredMs = now() - postedAt;
    let arrivals: number[] = [];
    for (let waited = 0; waited < 60_000; waited += 100) {
      arrivals = (await ask<{ arrivals: number[] }>({ type: 'single-report' })).arrivals;
      if (arrivals.every((at) => !Number.isNaN(at))) break;
      await sleep(100);
    }
    await stack.streams.idle();
    await meter.settle();
    const singleUsage = meter.take();
    const delivered = arrivals.filter((at) => !Number.isNaN(at)).map((at) => at - postedAt);

    // The flood.
    const floodTotal = Math.round(options.ratePerSecond * options.floodSeconds);
    await ask({ type: 'flood', total: floodTotal });
    const senderTokens = await Promise.all(
      Array.from({ length: options.senders }, (_, i) => stack.issuer.mint({ userId: `bench-sender-${i}` })),
    );
    const { result: sent, cpu: floodCpu } = await profileCpu(async () => {
      const result = await resultOf<SenderResult>(
        startWorker(new URL('./chat-senders.ts', import.meta.url), {
          url: `${stack.url}/api/livestream/${streamId}/chat`,
          tokens: senderTokens,
          ratePerSecond: options.ratePerSecond,
          seconds: options.floodSeconds,
          maxInFlight: MAX_IN_FLIGHT,
        } satisfies SenderSetup),
      );
      // Delivery: until every member has every accepted message, or 120 s after the last answer.
      const deadline = now() + 120_000;
      await within(stack.streams.idle(), 120_000);
      for (;;) {
        const progress = await ask<{ complete: number }>({
          type: 'flood-progress',
          accepted: result.accepted,
        });
        if (progress.complete === ready.members || now() > deadline) break;
        await sleep(200);
      }
      return result;
    }, 1000);
    await sleep(300); // a late duplicate would land by now
    const flood = await ask<{
      missing: number;
      duplicates: number;
      complete: number;
      framesPerMember: { min: number; max: number; total: number };
      busiestSecondFrames: { max: number; min: number };
      meanFramesPerSecond: { max: number; mean: number };
      firstFloodFrameAt: number;
      lastFloodFrameAt: number;
      firstArrival: number[];
      lastArrival: number[];
    }>({ type: 'flood-report', accepted: sent.accepted });
    await meter.settle();
    const floodUsage = meter.take();

    // Leaving: every member closes its socket ($disconnect).
    await ask({ type: 'close' });
    await meter.settle();
    const leaveUsage = meter.take();

    const accepted = sent.accepted.length;
    const issueSeconds = (sent.lastIssuedAt - sent.firstIssuedAt) / 1000;
    const answerSeconds = (sent.lastAnsweredAt - sent.firstIssuedAt) / 1000;
    const completion = sent.accepted.map((seq) => (flood.lastArrival[seq] ?? 0) - (sent.sentAt[seq] ?? 0));
    const firstDelivery = sent.accepted.map(
      (seq) => (flood.firstArrival[seq] ?? 0) - (sent.sentAt[seq] ?? 0),
    );
    const postChat = per(
      total(floodUsage, (l) => l === 'postChat'),
      accepted,
    );
    const memberJoinLabels = ['issueChatTicket', 'wsAuthorize', 'wsConnect', 'wsDefault join-livestream'];

    const figures = {
      members: ready.members,
      batchingWindowSeconds: WINDOW_SECONDS?.maxBatchingWindowSeconds,
      join: {
        seconds: joinSeconds,
        dynamoPerMember: per(
          total(joinUsage, (l) => memberJoinLabels.includes(l)),
          ready.members,
        ),
        byHandler: byLabel(joinUsage, ready.members),
      },
      single: {
        postAnsweredMs: round(answeredMs),
        deliveredTo: delivered.length,
        deliveryMs: spread(delivered.map((d) => round(d))),
        postChat: per(
          total(singleUsage, (l) => l === 'postChat'),
          1,
        ),
        fanOut: fanOut(singleUsage, 1),
        byHandler: byLabel(singleUsage, 1),
      },
      flood: {
        targetPerSecond: options.ratePerSecond,
        maxPostsInFlight: MAX_IN_FLIGHT,
        seconds: options.floodSeconds,
        senders: options.senders,
        posts: sent.total,
        issuedPerSecond: round(Math.max(0, sent.total - 1) / Math.max(0.001, issueSeconds), 1),
        acceptedPerSecond: round(accepted / Math.max(0.001, answerSeconds), 1),
        maxIssueLagMs: round(sent.maxLagMs),
        statuses: sent.statuses,
        postResponseMs: spread(sent.responseMs.map((r) => round(r))),
        accepted,
        lostMessages: flood.missing,
        duplicates: flood.duplicates,
        membersWithEveryMessage: flood.complete,
        framesPerConnectionPerSecond: {
          busiestSecondMax: flood.busiestSecondFrames.max,
          meanOverDeliveryMax: round(flood.meanFramesPerSecond.max),
          meanOverDelivery: round(flood.meanFramesPerSecond.mean),
        },
        framesPerMember: flood.framesPerMember,
        messagesPerFrame: ratio(accepted * ready.members, flood.framesPerMember.total),
        deliveryToLastMemberMs: spread(completion.map((c) => round(c))),
        deliveryToFirstMemberMs: spread(firstDelivery.map((c) => round(c))),
        lastFrameAfterLastPostSeconds: round((flood.lastFloodFrameAt - sent.lastIssuedAt) / 1000, 1),
        postChat,
        fanOut: fanOut(floodUsage, accepted),
        mainThreadCpu: floodCpu,
        byHandler: byLabel(floodUsage, accepted),
      },
      leave: { dynamoPerMember: per(total(leaveUsage), ready.members) },
    };
    const f = figures.flood;
    const table = [
      { figure: `${ready.members} members joined (s)`, value: figures.join.seconds },
      {
        figure: 'one message: delivery to each member (ms)',
        p50: figures.single.deliveryMs.p50,
        p99: figures.single.deliveryMs.p99,
        max: figures.single.deliveryMs.max,
      },
      { figure: 'one message: PostToConnection calls', value: figures.single.fanOut.postToConnectionCalls },
      {
        figure: 'flood: target / issued / accepted posts per s',
        value: `${f.targetPerSecond} / ${f.issuedPerSecond} / ${f.acceptedPerSecond}`,
      },
      { figure: 'flood: messages lost (member x message)', value: f.lostMessages },
      { figure: 'flood: duplicates', value: f.duplicates },
      {
        figure: 'flood: frames per connection, busiest second',
        value: f.framesPerConnectionPerSecond.busiestSecondMax,
      },
      {
        figure: 'flood: frames per connection per s, mean over delivery',
        value: f.framesPerConnectionPerSecond.meanOverDelivery,
      },
      { figure: 'flood: PostToConnection calls per message', value: f.fanOut.postToConnectionPerMessage },
      {
        figure: 'flood: fan-out invocations (messages each)',
        value: `${f.fanOut.invocations} (${f.fanOut.messagesPerInvocation})`,
      },
      {
        figure: 'flood: post to last member (ms)',
        p50: f.deliveryToLastMemberMs.p50,
        p99: f.deliveryToLastMemberMs.p99,
        max: f.deliveryToLastMemberMs.max,
      },
      { figure: 'flood: DynamoDB per post (reads, writes)', value: `${postChat.reads}, ${postChat.writes}` },
    ];
    return { table, figures };
  } finally {
    await listeners.terminate();
  }
}
