import { DynamoStreamStore } from '../adapters/stream-store.ts';
import { randomIds, systemClock } from '../adapters/system.ts';
import { DynamoViewerStore } from '../adapters/viewer-store.ts';
import { requireEnv, turnConfigFromEnv } from '../config.ts';
import type { StreamDeps } from '../core/streams.ts';
import type { ViewerDeps } from '../core/viewers.ts';

/** Composition roots: called once at a handler module's cold start. */
export function streamDeps(): StreamDeps {
  return { streams: new DynamoStreamStore(requireEnv('STREAMS_TABLE')), clock: systemClock, ids: randomIds };
}

export function viewerDeps(): ViewerDeps {
  return {
    ...streamDeps(),
    viewers: new DynamoViewerStore(requireEnv('VIEWERS_TABLE')),
    turn: turnConfigFromEnv(),
  };
}
