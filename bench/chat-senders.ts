/**
 * Worker thread: the chat flood (bench/chat.ts). Open loop: post number `seq` is due at
 * `start + seq / rate` whatever happened to the earlier ones (a closed loop would slow down with
 * the server and hide its queueing), from `tokens` in turn, at most `maxInFlight` waiting at once.
 * Message text `flood <seq>` lets the members tell which message a frame carried.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { now } from '../test/support/light-socket.ts';

export interface SenderSetup {
  url: string;
  tokens: string[];
  ratePerSecond: number;
  seconds: number;
  maxInFlight: number;
}

export interface SenderResult {
  total: number;
  /** First and last post issued, and the latest any post left after it was due. */
  firstIssuedAt: number;
  lastIssuedAt: number;
  maxLagMs: number;
  lastAnsweredAt: number;
  statuses: Record<string, number>;
  accepted: number[];
  sentAt: number[];
  responseMs: number[];
}

const setup = workerData as SenderSetup;
const total = Math.round(setup.ratePerSecond * setup.seconds);
const interval = 1000 / setup.ratePerSecond;
const sentAt = new Array<number>(total).fill(0);
const responseMs = new Array<number>(total).fill(0);
const statuses: Record<string, number> = {};
const accepted: number[] = [];
let inFlight = 0;
let maxLagMs = 0;
let lastAnsweredAt = 0;
const waiting: Array<() => void> = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function postOne(seq: number) {
  const token = setup.tokens[seq % setup.tokens.length];
  try {
    const res = await fetch(setup.url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: `flood ${seq}` }),
    });
    await res.arrayBuffer();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status === 201) accepted.push(seq);
  } catch (error) {
    // fetch fails with a TypeError whose cause says why (a refused or timed-out connection, ...).
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    statuses[cause] = (statuses[cause] ?? 0) + 1;
  } finally {
    lastAnsweredAt = now();
    responseMs[seq] = lastAnsweredAt - (sentAt[seq] as number);
    inFlight--;
    waiting.shift()?.();
  }
}

const start = now() + 50;
const posts: Promise<void>[] = [];
for (let seq = 0; seq < total; seq++) {
  const due = start + seq * interval;
  await sleep(due - now());
  while (inFlight >= setup.maxInFlight) await new Promise<void>((resolve) => waiting.push(resolve));
  sentAt[seq] = now();
  maxLagMs = Math.max(maxLagMs, (sentAt[seq] as number) - due);
  inFlight++;
  posts.push(postOne(seq));
}
await Promise.all(posts);
const result: SenderResult = {
  total,
  firstIssuedAt: sentAt[0] ?? 0,
  lastIssuedAt: sentAt[total - 1] ?? 0,
  maxLagMs,
  lastAnsweredAt,
  statuses,
  accepted: accepted.sort((a, b) => a - b),
  sentAt,
  responseMs,
};
parentPort?.postMessage(result);
