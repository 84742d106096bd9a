import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { StreamRecord, ViewerSession } from '../core/model.ts';
import type { RelayReads } from '../core/ports.ts';
import { call, documentClient } from './dynamo.ts';
import { toStreamRecord } from './seat-markers.ts';

/**
 * The relay's one read: the Livestreams row and the LivestreamViewers row in a single
 * BatchGetItem (one round trip, two strongly consistent item reads), so each side of a relay is
 * checked against current state without a second call.
 */
export class DynamoRelayReads implements RelayReads {
  constructor(
    private readonly streamsTable: string,
    private readonly viewersTable: string,
    private readonly db: DynamoDBDocumentClient = documentClient(),
  ) {}

  async pair(
    streamId: string,
    viewerId: string,
  ): Promise<{ stream?: StreamRecord; session?: ViewerSession }> {
    let request: BatchGetCommandOutput['UnprocessedKeys'] = {
      [this.streamsTable]: { Keys: [{ streamId }], ConsistentRead: true },
      [this.viewersTable]: { Keys: [{ streamId, viewerId }], ConsistentRead: true },
    };
    const found: { stream?: StreamRecord; session?: ViewerSession } = {};
    // Unprocessed keys come back under load; ask again until none are left.
    while (request && Object.keys(request).length > 0) {
      const out: BatchGetCommandOutput = await call(() =>
        this.db.send(new BatchGetCommand({ RequestItems: request })),
      );
      found.stream ??= toStreamRecord(out.Responses?.[this.streamsTable]?.[0]);
      found.session ??= out.Responses?.[this.viewersTable]?.[0] as ViewerSession | undefined;
      request = out.UnprocessedKeys;
    }
    return found;
  }
}
