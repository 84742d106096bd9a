/**
 * Worker thread: the chat room's members (bench/chat.ts). Opens one chat-only connection per
 * ticket, joins the room, and keeps per member only counters: which flood messages arrived (and
 * how often), chat frames per second of arrival, and arrival times of the single message. Answers
 * the main thread's requests by `id`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type Frame, LightSocket, now } from '../test/support/light-socket.ts';

export interface ListenerSetup {
  tickets: Array<{ url: string; ticket: string }>;
  streamId: string;
  /** Connections opened at a time. */
  openWidth: number;
}

export type ListenerRequest =
  | { id: number; type: 'flood'; total: number }
  | { id: number; type: 'single-report' }
  | { id: number; type: 'flood-progress'; accepted: number[] }
  | { id: number; type: 'flood-report'; accepted: number[] }
  | { id: number; type: 'close' };

interface Member {
  socket: LightSocket;
  /** Arrival of the single message (`single`), NaN until then. */
  singleAt: number;
  /** Flood messages received, by sequence number (a count, so duplicates show). */
  flood: Uint8Array;
  floodDistinct: number;
  /** Chat frames carrying flood messages, and how many arrived in each whole second. */
  floodFrames: number;
  perSecond: Map<number, number>;
  firstFloodAt: number;
  lastFloodAt: number;
  other: number;
}

const setup = workerData as ListenerSetup;
const members: Member[] = [];
let floodTotal = 0;
/** First and last arrival, over all members, of each flood message. */
let firstArrival = new Float64Array(0);
let lastArrival = new Float64Array(0);

function take(member: Member, frame: Frame, at: number) {
  const messages: Array<{ message?: string }> =
    frame.event === 'chat:message'
      ? [frame.data]
      : frame.event === 'chat:messages'
        ? frame.data.messages
        : [];
  if (messages.length === 0) {
    member.other++;
    return;
  }
  let flood = false;
  for (const m of messages) {
    const text = String(m.message ?? '');
    if (text === 'single') {
      if (Number.isNaN(member.singleAt)) member.singleAt = at;
    } else if (text.startsWith('flood ')) {
      const seq = Number(text.slice(6));
      if (!(seq >= 0 && seq < floodTotal)) continue;
      flood = true;
      if (member.flood[seq] === 0) {
        member.floodDistinct++;
        if (!(firstArrival[seq] as number) || at < (firstArrival[seq] as number)) firstArrival[seq] = at;
        if (at > (lastArrival[seq] as number)) lastArrival[seq] = at;
      }
      member.flood[seq] = Math.min(255, (member.flood[seq] as number) + 1);
    }
  }
  if (flood) {
    member.floodFrames++;
    if (!member.firstFloodAt) member.firstFloodAt = at;
    member.lastFloodAt = at;
    const second = Math.floor(at / 1000);
    member.perSecond.set(second, (member.perSecond.get(second) ?? 0) + 1);
  }
}

async function open(index: number) {
  const { url, ticket } = setup.tickets[index] as { url: string; ticket: string };
  const socket = await LightSocket.connect(url, ticket, 60_000);
  const member: Member = {
    socket,
    singleAt: Number.NaN,
    flood: new Uint8Array(floodTotal),
    floodDistinct: 0,
    floodFrames: 0,
    perSecond: new Map(),
    firstFloodAt: 0,
    lastFloodAt: 0,
    other: 0,
  };
  socket.onFrame = (frame, at) => take(member, frame, at);
  // As the SDK does: the flood measures coalesced delivery (a spec client, without `batch`, would
  // get one frame per message: see docs/chat.md).
  const join = { streamId: setup.streamId, batch: true };
  const { frame } = await socket.request('join-livestream', join, 'join', 60_000);
  if (frame.event !== 'chat:joined') throw new Error(`join-livestream refused: ${JSON.stringify(frame)}`);
  members.push(member);
}

const started = now();
let next = 0;
const failures: string[] = [];
await Promise.all(
  Array.from({ length: setup.openWidth }, async () => {
    while (next < setup.tickets.length) {
      const i = next++;
      await open(i).catch((error: Error) => failures.push(error.message));
    }
  }),
);
parentPort?.postMessage({ type: 'ready', members: members.length, failures, openMs: now() - started });

/** What every member got of the accepted flood messages. */
function audit(accepted: number[]) {
  let missing = 0;
  let duplicates = 0;
  let complete = 0;
  for (const m of members) {
    let got = 0;
    for (const seq of accepted) {
      const count = m.flood[seq] ?? 0;
      if (count > 0) got++;
      if (count > 1) duplicates += count - 1;
    }
    missing += accepted.length - got;
    if (got === accepted.length) complete++;
  }
  return { missing, duplicates, complete };
}

parentPort?.on('message', async (request: ListenerRequest) => {
  const reply = (body: Record<string, unknown>) => parentPort?.postMessage({ id: request.id, ...body });
  switch (request.type) {
    case 'flood':
      floodTotal = request.total;
      firstArrival = new Float64Array(floodTotal);
      lastArrival = new Float64Array(floodTotal);
      for (const m of members) {
        m.flood = new Uint8Array(floodTotal);
        m.floodDistinct = 0;
      }
      reply({});
      break;
    case 'single-report':
      reply({ arrivals: members.map((m) => m.singleAt) });
      break;
    case 'flood-progress':
      reply(audit(request.accepted));
      break;
    case 'flood-report': {
      const frames = members.map((m) => m.floodFrames);
      const busiest = members.map((m) => Math.max(0, ...m.perSecond.values()));
      // Frames per second over each member's own delivery span (first to last flood frame, at least 1 s).
      const rates = members.map((m) => m.floodFrames / Math.max(1, (m.lastFloodAt - m.firstFloodAt) / 1000));
      reply({
        ...audit(request.accepted),
        members: members.length,
        framesPerMember: {
          min: Math.min(...frames),
          max: Math.max(...frames),
          total: frames.reduce((a, b) => a + b, 0),
        },
        busiestSecondFrames: { max: Math.max(...busiest), min: Math.min(...busiest) },
        meanFramesPerSecond: {
          max: Math.max(...rates),
          mean: rates.reduce((a, b) => a + b, 0) / Math.max(1, rates.length),
        },
        firstFloodFrameAt: Math.min(...members.map((m) => m.firstFloodAt || Number.POSITIVE_INFINITY)),
        lastFloodFrameAt: Math.max(...members.map((m) => m.lastFloodAt)),
        otherFrames: members.reduce((a, m) => a + m.other, 0),
        firstArrival: [...firstArrival],
        lastArrival: [...lastArrival],
      });
      break;
    }
    case 'close':
      await Promise.all(members.map((m) => m.socket.close()));
      reply({});
      break;
  }
});
