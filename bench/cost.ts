/**
 * Scenario 6: what the counted work costs on AWS. Pure: counts in (from the signaling, chat and
 * REST scenarios' figures), dollars out, every price written beside the figure it made. Lambda
 * durations are the local wall times of the handlers (dynalite and the emulator in one process on
 * the bench machine); every other input is a count that transfers to AWS as it is.
 */
import { FUNCTION_MEMORY_MB } from '../lib/constructs/function.ts';

/** us-east-1 list prices, looked up 2026-11-24. */
export const PRICES = {
  lookedUp: '2026-11-24',
  region: 'us-east-1',
  dynamoWriteRequestUnit: {
    usd: 0.625 / 1e6,
    per: 'write request unit (on-demand, Standard table class; since the 2024-11-01 price cut)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  dynamoReadRequestUnit: {
    usd: 0.125 / 1e6,
    per: 'read request unit (on-demand; an eventually consistent read of up to 4 KB is half a unit)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  webSocketMessage: {
    usd: 1.0 / 1e6,
    per: 'WebSocket message sent or received, metered in 32 KB units (first billion a month)',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
  },
  webSocketConnectionMinute: {
    usd: 0.25 / 1e6,
    per: 'WebSocket connection minute',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
  },
  restRequest: {
    usd: 3.5 / 1e6,
    per: 'REST API request (first 333 million a month)',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    per: 'Lambda request',
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  lambdaGbSecondArm: {
    usd: 0.0000133334,
    per: 'Lambda GB-second, arm64 (first 7.5 billion GB-s a month); duration rounded up to 1 ms',
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  streamsReads: {
    usd: 0,
    per: 'DynamoDB Streams reads made by a Lambda event source mapping (free)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
} as const;

/** The memory every function gets (lib/constructs/function.ts). */
export const functionMemoryMb = (): number => FUNCTION_MEMORY_MB;

/** DynamoDB request units, invocations and @connections posts of one unit of work. */
interface Per {
  rru: number;
  wru: number;
  invocations?: number;
  posts?: number;
}

/** The parts of the scenarios' figures the model reads. */
export interface CostInputs {
  signaling: {
    relayedMessagesPerViewer: number;
    dynamoPerViewerJoin: Per;
    dynamoPerRelayedMessage: Per;
    dynamoPerViewerLeave: Per;
    keepAliveFrame: Per;
    framesPerViewer: { inbound: number; outbound: number };
    lambdaMsP50: { relay: number; keepAlive: number; leave: number; joinSteps: Record<string, number> };
  };
  chat: {
    members: number;
    single: {
      postChat: Per;
      byHandler: Record<string, { durationMsP50: number }>;
      fanOut: {
        invocationMs: { p50: number };
        postToConnectionCalls: number;
        billedMessageUnits: number;
        roomQueryRru: number;
      };
    };
    flood: {
      accepted: number;
      postChat: Per;
      fanOut: {
        invocations: number;
        postToConnectionCalls: number;
        billedMessageUnits: number;
        roomQueryRru: number;
      };
    };
  };
}

interface Line {
  item: string;
  quantity: number;
  unit: keyof Omit<typeof PRICES, 'lookedUp' | 'region'>;
  usd: number;
}

function line(item: string, quantity: number, unit: Line['unit']): Line {
  return { item, quantity: Number(quantity.toPrecision(6)), unit, usd: quantity * PRICES[unit].usd };
}

/** GB-seconds of `invocations` runs of `ms` each (billed per started millisecond). */
const gbSeconds = (invocations: number, ms: number, memoryMb: number) =>
  invocations * (Math.ceil(ms) / 1000) * (memoryMb / 1024);

function lambda(item: string, invocations: number, ms: number, memoryMb: number): Line[] {
  return [
    line(`${item}: invocations`, invocations, 'lambdaRequest'),
    line(
      `${item}: GB-s (${invocations} x ${Math.ceil(ms)} ms x ${memoryMb} MB)`,
      gbSeconds(invocations, ms, memoryMb),
      'lambdaGbSecondArm',
    ),
  ];
}

function dynamo(item: string, per: Per, times = 1): Line[] {
  return [
    line(`${item}: read request units`, per.rru * times, 'dynamoReadRequestUnit'),
    line(`${item}: write request units (indexes included)`, per.wru * times, 'dynamoWriteRequestUnit'),
  ];
}

const sum = (lines: Line[]) => lines.reduce((total, l) => total + l.usd, 0);

export interface CostAssumptions {
  /** Keep-alive frames an idle viewer sends an hour (API Gateway closes a socket idle for 10 minutes). */
  keepAlivesPerHour: number;
  /** The room size the chat figure is for. */
  room: number;
  /** Chat messages in the figure. */
  messages: number;
}

export const ASSUMPTIONS: CostAssumptions = { keepAlivesPerHour: 12, room: 1000, messages: 1000 };

/**
 * One viewer-hour: one session of 60 minutes (join, connect, the signaling set-up, 60 connection
 * minutes, keep-alives while no chat arrives, the leave), and 1,000 chat messages into a 1,000-viewer
 * room, in two regimes: a trickle (every message its own fan-out batch) and a flood (as measured).
 */
export function costModel(inputs: CostInputs, memoryMb: number, assumptions: CostAssumptions = ASSUMPTIONS) {
  const s = inputs.signaling;
  const steps = s.lambdaMsP50.joinSteps;
  const relays = s.relayedMessagesPerViewer;
  const viewerHour: Line[] = [
    line('POST /join', 1, 'restRequest'),
    ...lambda('joinStream', 1, steps.joinStream ?? 0, memoryMb),
    ...lambda('$connect authorizer', 1, steps.wsAuthorize ?? 0, memoryMb),
    ...lambda('$connect', 1, steps.wsConnect ?? 0, memoryMb),
    ...lambda('stream:join', 1, steps['wsDefault stream:join'] ?? 0, memoryMb),
    ...dynamo('join (REST + $connect + stream:join)', s.dynamoPerViewerJoin),
    ...lambda(`relayed messages (${relays})`, relays, s.lambdaMsP50.relay, memoryMb),
    ...dynamo('relayed messages', s.dynamoPerRelayedMessage, relays),
    line(
      `signaling frames (${s.framesPerViewer.inbound} in, ${s.framesPerViewer.outbound} out)`,
      s.framesPerViewer.inbound + s.framesPerViewer.outbound,
      'webSocketMessage',
    ),
    line('connection minutes', 60, 'webSocketConnectionMinute'),
    line(
      `keep-alive frames (${assumptions.keepAlivesPerHour} in, as many replies out)`,
      2 * assumptions.keepAlivesPerHour,
      'webSocketMessage',
    ),
    ...lambda('keep-alives', assumptions.keepAlivesPerHour, s.lambdaMsP50.keepAlive, memoryMb),
    ...lambda('$disconnect', 1, s.lambdaMsP50.leave, memoryMb),
    ...dynamo('leave ($disconnect)', s.dynamoPerViewerLeave),
    line('viewer:left to the broadcaster', 1, 'webSocketMessage'),
  ];

  // Chat: counts measured with `members` connections, scaled to the room size.
  const c = inputs.chat;
  const scale = assumptions.room / Math.max(1, c.members);
  const n = assumptions.messages;
  // Wall times from the single message, when nothing else ran: under the flood every handler shares
  // one thread with the rest (local only; on AWS each invocation has its own container). A fan-out
  // batch posts one frame per member however many messages it carries, so one batch costs the same.
  const postMs = c.single.byHandler.postChat?.durationMsP50 ?? 0;
  const posting: Line[] = [
    line('POST /chat', n, 'restRequest'),
    ...lambda('postChat', n, postMs, memoryMb),
    ...dynamo('postChat', c.flood.postChat, n),
    line('stream records read by the fan-out', n, 'streamsReads'),
  ];
  const single = c.single.fanOut;
  const trickle: Line[] = [
    ...posting,
    ...lambda('chatFanOut (one batch a message)', n, single.invocationMs.p50 * scale, memoryMb),
    line('room queries (byRoom)', single.roomQueryRru * scale * n, 'dynamoReadRequestUnit'),
    line(
      `frames to members (${assumptions.room} a message)`,
      single.billedMessageUnits * scale * n,
      'webSocketMessage',
    ),
  ];
  const f = c.flood.fanOut;
  const perMessage = (value: number) => (value / Math.max(1, c.flood.accepted)) * n;
  const flood: Line[] = [
    ...posting,
    ...lambda(
      `chatFanOut (${(c.flood.accepted / Math.max(1, f.invocations)).toFixed(0)} messages a batch)`,
      perMessage(f.invocations),
      single.invocationMs.p50 * scale,
      memoryMb,
    ),
    line('room queries (byRoom)', perMessage(f.roomQueryRru) * scale, 'dynamoReadRequestUnit'),
    line('frames to members (coalesced)', perMessage(f.billedMessageUnits) * scale, 'webSocketMessage'),
  ];

  return {
    memoryMb,
    assumptions,
    prices: PRICES,
    viewerHour: summary(viewerHour),
    chat1000Trickle: summary(trickle),
    chat1000Flood: summary(flood),
  };
}

function summary(lines: Line[]) {
  return {
    usd: Number(sum(lines).toPrecision(3)),
    byService: byService(lines),
    lines: lines.map((l) => ({ ...l, usd: Number(l.usd.toPrecision(3)), price: PRICES[l.unit].usd })),
  };
}

/** By service, for the table. */
function byService(lines: Line[]) {
  const group = (units: Line['unit'][]) =>
    Number(sum(lines.filter((l) => units.includes(l.unit))).toPrecision(3));
  return {
    dynamoDb: group(['dynamoReadRequestUnit', 'dynamoWriteRequestUnit']),
    apiGateway: group(['webSocketMessage', 'webSocketConnectionMinute', 'restRequest']),
    lambda: group(['lambdaRequest', 'lambdaGbSecondArm']),
  };
}

export function costScenario(inputs: CostInputs) {
  const model = costModel(inputs, functionMemoryMb());
  const rows = [
    { figure: 'one viewer-hour (USD)', model: model.viewerHour },
    { figure: '1,000 chat messages, 1,000 viewers, trickle (USD)', model: model.chat1000Trickle },
    { figure: '1,000 chat messages, 1,000 viewers, flood (USD)', model: model.chat1000Flood },
  ];
  const table = rows.map(({ figure, model: m }) => ({ figure, total: m.usd, ...m.byService }));
  return { table, figures: model };
}
