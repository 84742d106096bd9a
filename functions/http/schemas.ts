import { z } from 'zod';
import { tunables } from '../tunables.ts';

/** Control characters (C0, DEL, C1: NEL is one) and Unicode's line and paragraph separators. */
const CONTROL_OR_SEPARATOR = /[\p{Cc}\u2028\u2029]/u;
/** The line breaks and the tab a multi-line text may hold; a lone CR is not one of them. */
const LINE_BREAKS_AND_TAB = /\r\n|[\n\t]/g;
/**
 * Bidi embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069): they let one
 * user's text reorder what is shown after it ("invoice\u202Efdp.exe" reads "invoiceexe.pdf").
 * Right-to-left text needs none of them; the marks U+200E/U+200F stay allowed.
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;

/**
 * The one rule for text a user writes and others see (titles, descriptions, chat, reasons).
 * `single-line`: no line break of any kind and no control character. `multi-line`: `\n`, `\r\n`
 * and `\t` only. Either way no bidi embedding, override or isolate control.
 */
function shownText(schema: z.ZodString, lines: 'single-line' | 'multi-line') {
  return schema
    .refine(
      (text) =>
        !CONTROL_OR_SEPARATOR.test(lines === 'multi-line' ? text.replace(LINE_BREAKS_AND_TAB, '') : text),
      lines === 'multi-line'
        ? 'must not contain control characters or line breaks other than \\n, \\r\\n and tabs'
        : 'must not contain line breaks or control characters',
    )
    .refine(
      (text) => !BIDI_CONTROL.test(text),
      'must not contain bidirectional embedding, override or isolate controls (U+202A-U+202E, U+2066-U+2069)',
    );
}

/**
 * What can be an id at all: 1..128 of `A-Z a-z 0-9 _ -`. URL-safe as it is, never `.` or `..`
 * (a segment a client or proxy would resolve away), nothing that decodes into `/`, `%`, spaces or
 * control characters, and far under DynamoDB's key limit. Input outside it is a client bug or a
 * probe: 400 names it. Any id inside it that names nothing is a 404, whatever its shape.
 */
export const WellFormedId = z
  .string({ error: 'must be an id' })
  // `abort`: input that is not an id gets only this issue, never a not-found one as well.
  .regex(/^[A-Za-z0-9_-]{1,128}$/, {
    message: 'must be an id: 1 to 128 letters, digits, - or _',
    abort: true,
  });

/** The only stream ids there are: what `crypto.randomUUID()` mints. */
const MINTED_STREAM_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A `{streamId}` path segment. A well-formed id this service could not have minted names no
 * stream: it is answered `404 STREAM_NOT_FOUND` (request.ts) without reading DynamoDB, the same
 * answer an unknown UUID gets after its read.
 */
const StreamIdSegment = WellFormedId.superRefine((id, ctx) => {
  if (!MINTED_STREAM_ID.test(id)) {
    ctx.addIssue({
      code: 'custom',
      message: `Stream ${id} does not exist`,
      params: { notFound: 'STREAM_NOT_FOUND' },
    });
  }
});

export const StreamPath = z.strictObject({ streamId: StreamIdSegment });

/** The platform ceiling for `maxViewers`: the same bound as the default's (functions/tunables.ts). */
export const MAX_VIEWERS_LIMIT = tunables.DEFAULT_MAX_VIEWERS.max;

export const CreateStreamBody = z.strictObject({
  title: shownText(
    z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, 'must not be empty')
      .max(140, 'must be at most 140 characters'),
    'single-line',
  ),
  description: shownText(
    z.string({ error: 'must be a string' }).trim().max(2000, 'must be at most 2000 characters'),
    'multi-line',
  ).default(''),
  recordingEnabled: z.boolean({ error: 'must be true or false' }).default(false),
  maxViewers: z
    .int({ error: 'must be an integer' })
    .min(1, 'must be at least 1')
    .max(MAX_VIEWERS_LIMIT, `must be at most ${MAX_VIEWERS_LIMIT}`)
    .optional(),
});

export const EndStreamBody = z.strictObject({
  recordingUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(2048, 'must be at most 2048 characters')
    // The spec's `{recordingUrl}` from a client that recorded nothing may well be `null`: no URL.
    .nullish()
    .transform((url) => url ?? undefined),
});

export const EmptyBody = z.strictObject({});

export const TicketBody = z.strictObject({
  viewerId: WellFormedId.optional(),
});

/** Without `viewerId` (the spec's request) every open session of the caller on the stream leaves. */
export const LeaveStreamBody = z.strictObject({
  viewerId: WellFormedId.optional(),
});

export const PresenceBody = z.strictObject({ viewerId: WellFormedId });

const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .default(fallback);

/** Offset paging is kept for the original clients; it is capped because each page re-reads the skipped items. */
export const MAX_OFFSET = 1000;

export const ActiveStreamsQuery = z
  .strictObject({
    limit: integer(1, 100, 50),
    offset: integer(0, MAX_OFFSET, 0),
    cursor: z.string().min(1).max(2048).optional(),
  })
  .refine((q) => !(q.cursor && q.offset > 0), {
    message: 'use either cursor or offset, not both',
    path: ['offset'],
  });

/** Chat text: at most 500 characters (code points, so an emoji counts once) after trimming. */
export const MAX_CHAT_CHARACTERS = 500;

export const ChatBody = z.strictObject({
  message: shownText(
    z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty'),
    'multi-line',
  ).refine(
    (text) => [...text].length <= MAX_CHAT_CHARACTERS,
    `must be at most ${MAX_CHAT_CHARACTERS} characters`,
  ),
});

export const ChatQuery = z.strictObject({
  limit: integer(1, 100, 50),
  before: z
    .string()
    .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a nextCursor this API returned')
    .optional(),
});

const userId = z.string().regex(/^[A-Za-z0-9_.@|:-]{1,128}$/, 'must be a user id');

/** Any well-formed message id; one that names no message is `MESSAGE_NOT_FOUND` after the stream's checks. */
export const MessagePath = z.strictObject({ streamId: StreamIdSegment, messageId: WellFormedId });
export const BanPath = z.strictObject({ streamId: StreamIdSegment, userId });

export const BanBody = z.strictObject({
  userId,
  /** Absent: for good. */
  durationSeconds: z
    .int()
    .min(1)
    .max(365 * 86_400)
    .optional(),
});

export const SlowModeBody = z.strictObject({ seconds: z.int().min(0).max(3600) });

export const TerminateBody = z.strictObject({
  reason: shownText(z.string().trim().min(1, 'must say why').max(500), 'single-line'),
});

/** MediaRecorder's `mimeType`, codecs and all (`video/webm;codecs=vp9,opus`): the container counts. */
export const OpenRecordingBody = z.strictObject({
  contentType: z
    .string({ error: 'must be a string' })
    .max(200)
    .transform((type) => type.split(';')[0]?.trim().toLowerCase())
    .pipe(z.enum(['video/webm', 'video/mp4'], { error: 'must be video/webm or video/mp4' }))
    .default('video/webm'),
});

/** S3's limits: parts 1..10,000; a part's size is signed into its URL. */
export const RecordingPartBody = z.strictObject({
  partNumber: z
    .int({ error: 'must be an integer' })
    .min(1, 'must be at least 1')
    .max(10_000, 'must be at most 10000'),
  sizeBytes: z.int({ error: 'must be an integer' }).min(1, 'must be at least 1'),
});

export const CompleteRecordingBody = z.strictObject({
  parts: z
    .array(
      z.strictObject({
        partNumber: z.int({ error: 'must be an integer' }).min(1).max(10_000),
        etag: z.string().regex(/^"?[A-Za-z0-9+/=_-]{1,128}"?$/, 'must be the ETag S3 returned for the part'),
      }),
    )
    .min(1, 'must list at least one part')
    .max(10_000, 'must list at most 10000 parts')
    .refine(
      (parts) => parts.every((part, i) => i === 0 || part.partNumber > (parts[i - 1]?.partNumber ?? 0)),
      'must be in ascending partNumber order, each part once',
    ),
});

export const RecordingsQuery = z.strictObject({
  limit: integer(1, 100, 20),
  cursor: z.string().min(1).max(2048).optional(),
});
