import type { IncomingMessage, ServerResponse } from 'node:http';

/** A write dynalite accepted: it answered 200, so the change is in the table. */
export interface ObservedWrite {
  /** `PutItem`, `UpdateItem`, `DeleteItem` or `BatchWriteItem`. */
  readonly operation: WriteOperation;
  /** The request body, parsed; it has always arrived by then (dynalite answers after reading it). */
  readonly body: Promise<unknown>;
}

export type WriteOperation = (typeof WRITE_OPERATIONS)[number];
const WRITE_OPERATIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'] as const;

/**
 * Marks the local stack's own requests to dynalite (the stream stand-in's reads): the call counter
 * skips them, so tests count only what the handlers did.
 */
export const INTERNAL_HEADER = 'x-local-stack-internal';

const isWrite = (op: string | undefined): op is WriteOperation =>
  (WRITE_OPERATIONS as readonly (string | undefined)[]).includes(op);

/**
 * A 'request' listener for dynalite's server that reports each successful write, in the order
 * dynalite committed them. The hook is `res.end`, not the 'finish' event: dynalite calls `end`
 * synchronously right after its LevelDB write (and item lock release), whereas 'finish' depends on
 * socket flushing and may reorder two clients' responses.
 */
export function observeWrites(onWrite: (write: ObservedWrite) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' ? target.split('.')[1] : undefined;
    if (!isWrite(operation)) return;
    const chunks: Buffer[] = [];
    const body = new Promise<unknown>((resolve) => {
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(parseJson(Buffer.concat(chunks).toString('utf8'))));
      // An aborted request never reaches dynalite's handler either, so `end` below is not called.
      req.on('error', () => resolve(undefined));
    });
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      if (res.statusCode === 200) onWrite({ operation, body });
      return end(...args);
    }) as ServerResponse['end'];
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // dynalite answered 400 SerializationException; never a 200
  }
}
