import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { HttpResponse } from '../constants.ts';
import { clientIp, readBytes } from '../shared/http-io.ts';
import { verifyPostPolicy } from './post-policy.ts';
import { encodeKey } from './s3-client.ts';
import {
  dotSegmentRefusal,
  hasDotSegment,
  requestIds,
  s3Error,
  xmlFields,
  xmlResponse,
} from './s3-errors.ts';
import { relay, reply } from './s3-forward.ts';
import type { S3Notifier } from './s3-notifications.ts';
import type { S3rverBackend } from './s3rver-backend.ts';

// POST Object: a browser's form upload to the bucket's URL, authorized by the signed POST policy
// in the form (post-policy.ts) rather than by a signed request.

export interface PostObjectOptions {
  /** The one bucket. */
  readonly bucket: string;
  /** `<baseUrl>/s3`, for the answer's Location. */
  readonly endpoint: string;
  readonly backend: S3rverBackend;
  readonly notifier: S3Notifier;
}

/** S3's limit on what precedes the file: the fields and their boundaries. */
const MAX_PRE_DATA_BYTES = 20 * 1024;
/**
 * The stand-in's own cap on a whole form (S3 takes up to 5 GB): it holds the body in memory.
 * Live segments are a few MiB; a bigger body is refused as S3 refuses one over its policy.
 */
const MAX_FORM_BYTES = 256 * 1024 * 1024;
const MAX_KEY_BYTES = 1024;
/** S3's one form variable: the uploaded file's name. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own syntax, not a JavaScript template.
const FILENAME_VARIABLE = '${filename}';
/** Form fields S3 stores with the object, as their PutObject headers. */
const STORED = /^(content-type|cache-control|content-disposition|content-encoding|expires|x-amz-meta-.+)$/;

/** A multipart/form-data body, split as S3 reads it; a refusal when it cannot be. */
interface Form {
  readonly fields: Map<string, string>;
  readonly file: Buffer;
}

/**
 * Answers a POST to the bucket's URL: the form read, its policy verified, the object stored in
 * s3rver with the fields S3 keeps (Content-Type...), its creation notified, then 204 (or
 * `success_action_status` 200/201) with its ETag and Location. A refusal stores nothing.
 */
export async function postObject(
  req: IncomingMessage,
  res: ServerResponse,
  urlBucket: string,
  options: PostObjectOptions,
  cors: Record<string, string[]>,
): Promise<void> {
  const contentType = String(req.headers['content-type'] ?? '');
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    const refusal = s3Error(
      412,
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold',
      {
        Condition: 'Bucket POST must be of the enclosure-type multipart/form-data',
      },
    );
    return reply(res, refusal, cors, req);
  }
  const body = await readBytes(req, MAX_FORM_BYTES);
  if (!body) {
    const refusal = s3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
      MaxSizeAllowed: MAX_FORM_BYTES,
    });
    return reply(res, refusal, cors);
  }
  const form = await readForm(body, contentType);
  if ('statusCode' in form) return reply(res, form, cors);
  const key = form.fields.get('key');
  if (!key) {
    const refusal = s3Error(
      400,
      'InvalidArgument',
      "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
      { ArgumentName: 'key', ArgumentValue: '' },
    );
    return reply(res, refusal, cors);
  }
  const verdict = await verifyPostPolicy({
    fields: form.fields,
    bucket: urlBucket,
    fileSize: form.file.length,
  });
  if (!verdict.ok) {
    const { statusCode, code, message, detail } = verdict.failure;
    return reply(res, s3Error(statusCode, code, message, detail), cors);
  }
  if (urlBucket !== options.bucket) {
    return reply(
      res,
      s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: urlBucket }),
      cors,
    );
  }
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    return reply(
      res,
      s3Error(400, 'KeyTooLongError', 'Your key is too long', { MaxSizeAllowed: MAX_KEY_BYTES }),
      cors,
    );
  }
  if (hasDotSegment(key)) return reply(res, dotSegmentRefusal(), cors);

  const headers: OutgoingHttpHeaders = {
    'content-type': 'binary/octet-stream',
    ...Object.fromEntries([...form.fields].filter(([name]) => STORED.test(name))),
    'content-length': form.file.length,
  };
  const upstream = await options.backend.call(
    'PUT',
    `/${options.bucket}/${encodeKey(key)}`,
    headers,
    form.file,
  );
  if (upstream.statusCode !== 200) return relay(res, upstream, cors);
  upstream.resume();
  const eTag = String(upstream.headers.etag ?? '').replaceAll('"', '');
  // Queued before the client hears back, so that `idle()` awaited after the POST covers it.
  options.notifier.created({ how: 'Post', key, size: form.file.length, eTag, sourceIp: clientIp(req) });
  const location = `${options.endpoint}/${options.bucket}/${encodeKey(key)}`;
  await reply(
    res,
    answer(form.fields.get('success_action_status'), { bucket: options.bucket, key, eTag, location }),
    cors,
  );
}

/** The fields before `file` (S3 ignores any after it) and the file's bytes. */
async function readForm(body: Buffer, contentType: string): Promise<Form | HttpResponse> {
  let data: FormData;
  try {
    data = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch {
    return s3Error(
      400,
      'MalformedPOSTRequest',
      'The body of your POST request is not well-formed multipart/form-data.',
    );
  }
  const fields = new Map<string, string>();
  let preData = 0;
  for (const [rawName, value] of data) {
    const name = rawName.toLowerCase();
    if (name === 'file') {
      const file = typeof value === 'string' ? Buffer.from(value) : Buffer.from(await value.arrayBuffer());
      const filename = typeof value === 'string' ? '' : (value.name.split(/[/\\]/).pop() ?? '');
      // `${filename}` in any field is the uploaded file's name (without its path).
      for (const [field, text] of fields) fields.set(field, text.replaceAll(FILENAME_VARIABLE, filename));
      return { fields, file };
    }
    if (typeof value !== 'string') continue;
    preData += Buffer.byteLength(rawName) + Buffer.byteLength(value);
    if (preData > MAX_PRE_DATA_BYTES) {
      return s3Error(
        400,
        'MaxPostPreDataLengthExceeded',
        'Your POST request fields preceeding the upload file was too large.',
      );
    }
    // A repeated field is its values joined with commas, as a policy condition sees it.
    fields.set(name, fields.has(name) ? `${fields.get(name)},${value}` : value);
  }
  return s3Error(400, 'InvalidArgument', 'POST requires exactly one file upload per request.', {
    ArgumentName: 'file',
    ArgumentValue: '0',
  });
}

/** S3's answer to a stored POST: `success_action_status` 201 (with its XML) or 200, else 204. */
function answer(
  status: string | undefined,
  stored: { bucket: string; key: string; eTag: string; location: string },
): HttpResponse {
  const object = { ETag: [`"${stored.eTag}"`], Location: [stored.location] };
  if (status === '201') {
    const fields = {
      Location: stored.location,
      Bucket: stored.bucket,
      Key: stored.key,
      ETag: `"${stored.eTag}"`,
    };
    const xml = xmlResponse(201, `<PostResponse>${xmlFields(fields)}</PostResponse>`);
    return { ...xml, headers: { ...xml.headers, ...object } };
  }
  const { requestId, hostId } = requestIds();
  return {
    statusCode: status === '200' ? 200 : 204,
    headers: { ...object, 'x-amz-request-id': [requestId], 'x-amz-id-2': [hostId] },
    body: Buffer.alloc(0),
  };
}
