import type { HttpResponse } from '../constants.ts';
import { noSuchUpload, s3Error, xmlFields, xmlResponse, xmlUnescape } from './s3-errors.ts';
import { multipartEtag, type StoredPart, type UploadStore } from './s3-store.ts';

/** S3's minimum size of every part but the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;
const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
/** s3rver's dummy account, which owns everything in its store. */
const OWNER = { ID: '123456789000', DisplayName: 'S3rver' };

export interface UploadRef {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
}

/** The upload exists and belongs to this key (S3 scopes an upload id to its key). */
async function known(store: UploadStore, ref: UploadRef): Promise<boolean> {
  return (await store.uploadKey(ref.uploadId)) === ref.key;
}

/** UploadPart's own checks, before the part goes to s3rver (which would create the upload). */
export async function checkUploadPart(
  store: UploadStore,
  ref: UploadRef,
  partNumber: string | undefined,
): Promise<HttpResponse | undefined> {
  const n = Number(partNumber);
  if (!/^\d+$/.test(partNumber ?? '') || n < 1 || n > MAX_PART_NUMBER) {
    return s3Error(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
      ArgumentName: 'partNumber',
      ArgumentValue: partNumber ?? '',
    });
  }
  return (await known(store, ref)) ? undefined : noSuchUpload(ref.uploadId);
}

/** ListParts (`GET ?uploadId=`), with `max-parts` (at most 1000) and `part-number-marker`. */
export async function listParts(
  store: UploadStore,
  ref: UploadRef,
  query: URLSearchParams,
): Promise<HttpResponse> {
  if (!(await known(store, ref))) return noSuchUpload(ref.uploadId);
  const maxParts = Math.min(1000, Math.max(0, Number(query.get('max-parts') ?? 1000) || 0));
  const marker = Math.max(0, Number(query.get('part-number-marker') ?? 0) || 0);
  const after = (await store.parts(ref.uploadId)).filter((part) => part.partNumber > marker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  const parts = page
    .map(
      (part) =>
        `<Part>${xmlFields({
          PartNumber: part.partNumber,
          LastModified: part.lastModified.toISOString(),
          ETag: `"${part.etag}"`,
          Size: part.size,
        })}</Part>`,
    )
    .join('');
  const owner = `<ID>${OWNER.ID}</ID><DisplayName>${OWNER.DisplayName}</DisplayName>`;
  return xmlResponse(
    200,
    `<ListPartsResult xmlns="${XMLNS}">${xmlFields({ Bucket: ref.bucket, Key: ref.key, UploadId: ref.uploadId })}` +
      `<Initiator>${owner}</Initiator><Owner>${owner}</Owner>` +
      xmlFields({
        StorageClass: 'STANDARD',
        PartNumberMarker: marker,
        NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
        MaxParts: maxParts,
        IsTruncated: String(truncated),
      }) +
      `${parts}</ListPartsResult>`,
  );
}

/** AbortMultipartUpload (`DELETE ?uploadId=`): the parts are gone, 204. */
export async function abortUpload(store: UploadStore, ref: UploadRef): Promise<HttpResponse> {
  if (!(await known(store, ref))) return noSuchUpload(ref.uploadId);
  await store.remove(ref.uploadId);
  return { statusCode: 204, headers: {}, body: Buffer.alloc(0) };
}

/** A CompleteMultipartUpload request S3 would accept: its parts, their total size and ETag. */
export interface CompletePlan {
  readonly parts: readonly StoredPart[];
  readonly size: number;
  readonly etag: string;
}

/**
 * The checks S3 makes on CompleteMultipartUpload and s3rver does not: the upload exists; the
 * list is in strictly ascending order (InvalidPartOrder); every part was uploaded with that ETag
 * (InvalidPart); every part but the last is at least 5 MiB (EntityTooSmall).
 */
export async function planCompletion(
  store: UploadStore,
  ref: UploadRef,
  body: Buffer,
): Promise<CompletePlan | HttpResponse> {
  if (!(await known(store, ref))) return noSuchUpload(ref.uploadId);
  const listed = parseCompleteBody(body.toString('utf8'));
  if (!listed) {
    return s3Error(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  }
  for (let i = 1; i < listed.length; i++) {
    if ((listed[i]?.partNumber ?? 0) <= (listed[i - 1]?.partNumber ?? 0)) {
      return s3Error(
        400,
        'InvalidPartOrder',
        'The list of parts was not in ascending order. Parts must be ordered by part number.',
        { UploadId: ref.uploadId },
      );
    }
  }
  const stored = new Map((await store.parts(ref.uploadId)).map((part) => [part.partNumber, part]));
  const parts: StoredPart[] = [];
  for (const { partNumber, etag } of listed) {
    const part = stored.get(partNumber);
    if (!part || part.etag !== etag) {
      return s3Error(
        400,
        'InvalidPart',
        'One or more of the specified parts could not be found.  The part may not have been uploaded, ' +
          "or the specified entity tag may not match the part's entity tag.",
        { UploadId: ref.uploadId, PartNumber: partNumber, ETag: etag },
      );
    }
    parts.push(part);
  }
  const small = parts.slice(0, -1).find((part) => part.size < MIN_PART_BYTES);
  if (small) {
    return s3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
      ProposedSize: small.size,
      MinSizeAllowed: MIN_PART_BYTES,
      PartNumber: small.partNumber,
      ETag: small.etag,
    });
  }
  return {
    parts,
    size: parts.reduce((sum, part) => sum + part.size, 0),
    etag: multipartEtag(parts.map((part) => part.etag)),
  };
}

/** CompleteMultipartUpload's answer, with S3's multipart ETag and the public Location. */
export function completeResult(ref: UploadRef, location: string, etag: string): HttpResponse {
  return xmlResponse(
    200,
    `<CompleteMultipartUploadResult xmlns="${XMLNS}">` +
      xmlFields({ Location: location, Bucket: ref.bucket, Key: ref.key, ETag: `"${etag}"` }) +
      '</CompleteMultipartUploadResult>',
  );
}

/** The `<Part>`s of a CompleteMultipartUpload body; undefined when there are none or one is malformed. */
function parseCompleteBody(xml: string): { partNumber: number; etag: string }[] | undefined {
  if (!/<CompleteMultipartUpload[\s>]/.test(xml)) return undefined;
  const parts = [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, inner = '']) => {
    const number = /<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(inner)?.[1];
    const etag = /<ETag>([\s\S]*?)<\/ETag>/.exec(inner)?.[1];
    // S3 compares ETags without their quotes.
    return number && etag
      ? { partNumber: Number(number), etag: xmlUnescape(etag).replaceAll('"', '').trim() }
      : undefined;
  });
  if (parts.length === 0 || parts.some((part) => part === undefined)) return undefined;
  return parts as { partNumber: number; etag: string }[];
}
