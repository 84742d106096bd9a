import { issueLiveCredential } from '../core/live-upload.ts';
import { broadcasterProof, broadcastersStream } from '../core/streams.ts';
import { ok } from '../http/responses.ts';
import { route } from '../http/route.ts';
import { EmptyBody, StreamPath } from '../http/schemas.ts';
import { liveUploadDeps } from '../wiring.ts';

const deps = liveUploadDeps();

/**
 * POST /api/livestream/{streamId}/live/credential -> {url, fields, keyPrefix, maxBytes,
 * expiresAt, playback}: an S3 presigned POST for the stream's live prefix (docs/live.md). Who may
 * ask is who may start the stream: the owner's token, or the stream key in `X-Stream-Key`.
 */
export const handler = route(
  {
    auth: 'optional',
    params: StreamPath,
    owner: (streamId, { user, header }) =>
      broadcastersStream(deps, streamId, broadcasterProof(user, header('x-stream-key'))),
    body: EmptyBody,
  },
  async ({ stream }) => ok(await issueLiveCredential(deps, stream)),
);
