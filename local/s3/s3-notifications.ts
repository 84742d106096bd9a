import type { S3Event, S3EventRecord } from 'aws-lambda';
import { LOCAL_REGION } from '../constants.ts';
import type { AsyncInvoker } from '../lambda/async-invoke.ts';
import { requestIds } from './s3-errors.ts';

/** A manifest `kind: 's3'` event source. */
export interface S3Source {
  readonly prefix: string;
  readonly events: readonly string[];
  readonly handler: string;
}

/** How an object came to be, in S3's event names. */
export type CreatedBy = 'Put' | 'Post' | 'Copy' | 'CompleteMultipartUpload';

export interface CreatedObject {
  readonly how: CreatedBy;
  readonly key: string;
  readonly size: number;
  /** Without quotes, as S3 puts it in events (`<md5>-<parts>` for a multipart object). */
  readonly eTag: string;
  readonly sourceIp: string;
}

const CREATED = ['Put', 'Post', 'Copy', 'CompleteMultipartUpload'] as const;

/**
 * Which `s3:ObjectCreated:...` names a source subscribes to. Only creations are emitted locally:
 * anything else in the manifest throws at startup, so a source the stack cannot honor fails
 * loudly instead of never firing.
 */
function subscribed(source: S3Source): Set<CreatedBy> {
  const names = new Set<CreatedBy>();
  for (const event of source.events) {
    if (event === 's3:ObjectCreated:*') for (const how of CREATED) names.add(how);
    else {
      const how = CREATED.find((name) => event === `s3:ObjectCreated:${name}`);
      if (!how) throw new Error(`S3 event ${event} (${source.handler}) is not supported by the local stack`);
      names.add(how);
    }
  }
  return names;
}

/**
 * An object key as S3 writes it in event records: form-URL-encoded (a space is `+`), `/` kept.
 * Handlers undo it with `decodeURIComponent(key.replaceAll('+', ' '))`.
 */
export const eventKey = (key: string): string =>
  new URLSearchParams({ k: key }).toString().slice(2).replaceAll('%2F', '/');

/**
 * S3 event notifications to the manifest's `s3` sources: each object created under a source's
 * prefix invokes its handler asynchronously with one record, in the shape S3 sends (event
 * version 2.1). `sequencer` grows with every event, so records of one key order by it.
 */
export function createS3Notifier(options: {
  bucket: string;
  sources: readonly S3Source[];
  invoker: AsyncInvoker;
}) {
  const { bucket, invoker } = options;
  const sources = options.sources.map((source) => ({ ...source, names: subscribed(source) }));
  let sequence = BigInt(Date.now()) * 4096n;

  const record = (object: CreatedObject, handler: string): S3EventRecord => {
    sequence += 1n;
    const { requestId, hostId } = requestIds();
    return {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: LOCAL_REGION,
      eventTime: new Date().toISOString(),
      eventName: `ObjectCreated:${object.how}`,
      userIdentity: { principalId: 'AWS:local' },
      requestParameters: { sourceIPAddress: object.sourceIp },
      responseElements: { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: `local-${handler}`,
        bucket: { name: bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucket}` },
        object: {
          key: eventKey(object.key),
          size: object.size,
          eTag: object.eTag,
          sequencer: sequence.toString(16).toUpperCase().padStart(18, '0'),
        },
      },
    };
  };

  return {
    created(object: CreatedObject): void {
      for (const source of sources) {
        if (!object.key.startsWith(source.prefix) || !source.names.has(object.how)) continue;
        const event: S3Event = { Records: [record(object, source.handler)] };
        void invoker.invoke(source.handler, event, `s3 ObjectCreated:${object.how} ${object.key}`);
      }
    },
  };
}

export type S3Notifier = ReturnType<typeof createS3Notifier>;
