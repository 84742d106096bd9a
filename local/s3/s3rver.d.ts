// s3rver ships no types; this covers only the slice the local stack uses.
declare module 's3rver' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface S3rverOptions {
    /** Where buckets live on disk (its filesystem store). */
    directory: string;
    silent?: boolean;
    /** Made at `configureBuckets()` when missing; an existing bucket keeps its objects. */
    configureBuckets?: { name: string; configs?: string[] }[];
    /** `false`: a request's Host is never taken for a bucket name (the proxy dials 127.0.0.1). */
    vhostBuckets?: boolean;
  }

  class S3rver {
    constructor(options: S3rverOptions);
    /** The Koa request handler, to serve from a server of our own. */
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    configureBuckets(): Promise<void>;
    readonly logger: { close(): void };
  }
  export default S3rver;
}
