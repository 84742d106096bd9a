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
};
