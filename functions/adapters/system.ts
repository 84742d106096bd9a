import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Clock, IdSource } from '../core/ports.ts';
import { LIVE_INDEX_SHARDS } from '../manifest.ts';

export const systemClock: Clock = { now: () => Date.now() };

export const randomIds: IdSource = {
  streamId: () => randomUUID(),
  viewerId: () => randomUUID(),
  streamKey: () => `sk_${randomBytes(32).toString('base64url')}`,
  // Random, not hashed from the id: the shard is stored on the row, so it only has to spread load.
  liveShard: () => `live#${randomInt(LIVE_INDEX_SHARDS)}`,
  attemptId: () => randomBytes(9).toString('base64url'),
};

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = -1;
let lastRandom: number[] = [];

/**
 * A ULID: 48-bit millisecond time then 80 random bits, Crockford base32, so ids sort by time as
 * strings. Within one millisecond the random part counts up, so one process never reorders.
 */
export function timeOrderedId(now = Date.now()): string {
  if (now === lastTime) {
    for (let i = lastRandom.length - 1; i >= 0; i--) {
      lastRandom[i] = ((lastRandom[i] ?? 0) + 1) % 32;
      if (lastRandom[i] !== 0) break;
    }
  } else {
    lastTime = now;
    lastRandom = [...randomBytes(16)].map((b) => b % 32);
  }
  let time = '';
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  return time + lastRandom.map((d) => CROCKFORD[d]).join('');
}
