import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { finishLive } from '../core/live-finish.ts';
import { lambda } from '../handler.ts';
import { log } from '../log.ts';
import { newImageOf } from '../stream-images.ts';
import { liveFinishDeps } from '../wiring.ts';

const deps = liveFinishDeps();

/**
 * The streams table's stream, filtered to ended streams that ran a live ladder: appends
 * `#EXT-X-ENDLIST` to each rendition's playlists that lack it, however the stream ended. A stream
 * written several times in one batch is finished once; a failure reports its record, so only it
 * and those after it are retried (the ones before are done, and redoing them changes nothing).
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>(
  'finishLive',
  async (event) => {
    const done = new Set<string>();
    for (const record of event.Records) {
      const streamId = newImageOf(record)?.streamId;
      if (typeof streamId !== 'string' || done.has(streamId)) continue;
      try {
        const finished = await finishLive(deps, streamId);
        done.add(streamId);
        const ended = Object.entries(finished.playlists).flatMap(([key, outcome]) =>
          outcome === 'ended' ? [key] : [],
        );
        log.info('live ladder finished', { streamId, renditions: finished.renditions, ended });
      } catch (error) {
        log.error('live ladder finish failed', { streamId, error });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  },
  'rethrow',
);
