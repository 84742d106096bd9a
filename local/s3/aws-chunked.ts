import { Transform, type TransformCallback } from 'node:stream';

/**
 * Decodes an `aws-chunked` body (`Content-Encoding: aws-chunked`): what the SDK sends for a
 * streaming upload with a checksum trailer or chunk signatures. Each chunk is
 * `<hex size>[;chunk-signature=...]\r\n<bytes>\r\n`, then a zero-size chunk and the trailers.
 * s3rver would store the framing as object bytes; this keeps only the bytes. Chunk signatures
 * and trailing checksums are not verified.
 */
export class AwsChunkedDecoder extends Transform {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of the current chunk still to pass on; -1 between chunks. */
  private remaining = -1;
  private done = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    try {
      this.drain();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.done ? null : new Error('aws-chunked body ended before its final chunk'));
  }

  private drain(): void {
    while (!this.done) {
      if (this.remaining > 0) {
        if (this.buffer.length === 0) return;
        const take = Math.min(this.remaining, this.buffer.length);
        this.push(this.buffer.subarray(0, take));
        this.buffer = this.buffer.subarray(take);
        this.remaining -= take;
        continue;
      }
      if (this.remaining === 0) {
        // The CRLF after a chunk's bytes.
        if (this.buffer.length < 2) return;
        this.buffer = this.buffer.subarray(2);
        this.remaining = -1;
      }
      const eol = this.buffer.indexOf('\r\n');
      if (eol < 0) {
        if (this.buffer.length > 4096) throw new Error('aws-chunked chunk header too long');
        return;
      }
      const size = Number.parseInt(this.buffer.subarray(0, eol).toString('latin1').split(';')[0] ?? '', 16);
      if (!Number.isInteger(size) || size < 0) throw new Error('aws-chunked chunk header is malformed');
      this.buffer = this.buffer.subarray(eol + 2);
      if (size === 0) {
        // Trailers (checksums) follow up to an empty line; nothing of them is object data.
        this.done = true;
        return;
      }
      this.remaining = size;
    }
  }
}

/** Whether a request body is aws-chunked, by its `Content-Encoding` (it may list more codings). */
export const isAwsChunked = (contentEncoding: string | undefined): boolean =>
  (contentEncoding ?? '').split(',').some((coding) => coding.trim().toLowerCase() === 'aws-chunked');

/** `Content-Encoding` without `aws-chunked`, or undefined when nothing else was listed. */
export function withoutAwsChunked(contentEncoding: string | undefined): string | undefined {
  const rest = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim())
    .filter((coding) => coding && coding.toLowerCase() !== 'aws-chunked');
  return rest.length ? rest.join(', ') : undefined;
}
