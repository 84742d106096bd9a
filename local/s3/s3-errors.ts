import { randomBytes } from 'node:crypto';
import type { HttpResponse } from '../constants.ts';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export const xmlEscape = (text: string): string => text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);

/** The opposite, for the few entities S3 request bodies use (an ETag's quotes arrive as `&quot;`). */
export const xmlUnescape = (text: string): string =>
  text.replace(
    /&(quot|amp|lt|gt|apos|#(\d+)|#x([0-9a-f]+));/gi,
    (whole, name: string, dec?: string, hex?: string) => {
      if (dec) return String.fromCodePoint(Number(dec));
      if (hex) return String.fromCodePoint(Number.parseInt(hex, 16));
      const ch = Object.entries(ENTITIES).find(([, entity]) => entity === `&${name.toLowerCase()};`)?.[0];
      return ch ?? whole;
    },
  );

/** S3's request ids: `x-amz-request-id` (16 hex) and `x-amz-id-2` (base64), on every answer. */
export function requestIds(): { requestId: string; hostId: string } {
  return {
    requestId: randomBytes(8).toString('hex').toUpperCase(),
    hostId: randomBytes(48).toString('base64'),
  };
}

/** An XML document as S3 writes one: declaration, then the body. */
export function xmlResponse(statusCode: number, body: string): HttpResponse {
  const { requestId, hostId } = requestIds();
  return {
    statusCode,
    headers: {
      'Content-Type': ['application/xml'],
      'x-amz-request-id': [requestId],
      'x-amz-id-2': [hostId],
    },
    body: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`),
  };
}

/** `<Tag>value</Tag>` for each entry, values escaped. */
export const xmlFields = (fields: Readonly<Record<string, string | number>>): string =>
  Object.entries(fields)
    .map(([tag, value]) => `<${tag}>${xmlEscape(String(value))}</${tag}>`)
    .join('');

/**
 * An S3 error document: `<Error><Code>..</Code><Message>..</Message>` then the error's own
 * fields, then RequestId and HostId, as S3 sends them (the SDK reads `Code` as the error's name).
 */
export function s3Error(
  statusCode: number,
  code: string,
  message: string,
  detail: Readonly<Record<string, string | number>> = {},
): HttpResponse {
  const { requestId, hostId } = requestIds();
  const response = xmlResponse(
    statusCode,
    `<Error>${xmlFields({ Code: code, Message: message, ...detail, RequestId: requestId, HostId: hostId })}</Error>`,
  );
  response.headers['x-amz-request-id'] = [requestId];
  response.headers['x-amz-id-2'] = [hostId];
  return response;
}

export const noSuchUpload = (uploadId: string) =>
  s3Error(
    404,
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId },
  );

/** A `.` or `..` segment: S3 takes it as a plain name, s3rver's filesystem store would resolve it on disk. */
export const hasDotSegment = (path: string): boolean => path.split('/').some((s) => s === '.' || s === '..');

export const dotSegmentRefusal = () =>
  s3Error(400, 'InvalidArgument', 'The local S3 stand-in takes no "." or ".." path segments.');
