import type { IncomingHttpHeaders } from 'node:http';
import type { HttpResponse } from '../constants.ts';
import { s3Error } from './s3-errors.ts';
import type { S3rverBackend } from './s3rver-backend.ts';

/** The headers of S3's conditional writes (PutObject), which s3rver ignores. */
const CONDITIONS = ['if-match', 'if-none-match'] as const;

const unquoted = (etag: string) => etag.trim().replaceAll('"', '');

/**
 * S3's conditional writes, which s3rver lacks: a PutObject with `If-Match: <etag>` is written only
 * if the object is still that version (412 PreconditionFailed otherwise, 404 NoSuchKey when there
 * is none), one with `If-None-Match: *` only if there is no object yet (412). Conditional writes to
 * one key run one at a time, check and write together, so two of them cannot both win; an
 * unconditional PUT is not held back by them (unlike S3, it could land between a check and its
 * write: the local stack's writers never race that way).
 */
export function conditionalWrites(backend: S3rverBackend, bucket: string) {
  const queues = new Map<string, Promise<unknown>>();

  /** The refusal S3 would answer, or undefined when the conditions hold now. */
  async function refusal(key: string, headers: IncomingHttpHeaders): Promise<HttpResponse | undefined> {
    const stored = await backend.stat(bucket, key);
    const ifMatch = headers['if-match'];
    if (typeof ifMatch === 'string') {
      if (!stored) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
      if (ifMatch.trim() !== '*' && unquoted(ifMatch) !== stored.eTag) return preconditionFailed('If-Match');
    }
    const ifNoneMatch = headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && stored) {
      if (ifNoneMatch.trim() !== '*') {
        return s3Error(501, 'NotImplemented', 'If-None-Match takes only * on a write.', {
          Header: 'If-None-Match',
        });
      }
      return preconditionFailed('If-None-Match');
    }
    return undefined;
  }

  return {
    /** Whether a request carries a write condition. */
    applies: (headers: IncomingHttpHeaders) => CONDITIONS.some((name) => headers[name] !== undefined),

    /**
     * Runs `write` (the forward to s3rver, which must not see the conditions: `withoutConditions`)
     * when the conditions hold, after any conditional write to the same key before it; answers
     * the refusal otherwise.
     */
    async guard<T>(
      key: string,
      headers: IncomingHttpHeaders,
      write: () => Promise<T>,
    ): Promise<{ refused: HttpResponse } | { written: T }> {
      const before = queues.get(key) ?? Promise.resolve();
      const turn = before.then(async () => {
        const refused = await refusal(key, headers);
        return refused ? { refused } : { written: await write() };
      });
      const settled = turn.catch(() => {});
      queues.set(key, settled);
      settled.then(() => {
        if (queues.get(key) === settled) queues.delete(key);
      });
      return turn;
    },
  };
}

/** The request's headers minus the write conditions (checked here; s3rver would misread them). */
export function withoutConditions(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const name of CONDITIONS) delete out[name];
  return out;
}

const preconditionFailed = (condition: string) =>
  s3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
    Condition: condition,
  });
