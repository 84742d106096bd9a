/**
 * Worker thread: the broadcaster's uploads, from Node. Goes live with a ladder encoded beforehand
 * (bench/live-source.ts): every second, for each rendition at once, it POSTs the next segment
 * through the stream's upload credential (the presigned POST of docs/live.md), waits for S3's
 * 2xx, then POSTs the rendition's sliding-window playlist listing it, and its full-history
 * playlist when `fullPlaylistDue` says so; the multivariant playlists once the first segments are
 * readable. The playlists are the SDK's own (web/sdk/live/playlists.ts), each segment stamped with
 * `EXT-X-PROGRAM-DATE-TIME` = the wall clock when its first frame would have been captured (one
 * segment duration before it was complete). At the end, `EXT-X-ENDLIST`.
 *
 * Posts `{ kind: 'ready' }` once the multivariant playlist is up, then `{ kind: 'done', ... }`
 * with what it uploaded per rendition.
 */
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import {
  appendSegment,
  beginRun,
  EMPTY_HISTORY,
  fullPlaylist,
  fullPlaylistDue,
  indexPlaylist,
  masterPlaylist,
  type RenditionHistory,
} from '../web/sdk/live/playlists.ts';
import type { LiveCredential } from '../web/sdk/types.ts';
import type { EncodedRendition } from './live-source.ts';
import { FRAME_RATE } from './live-source.ts';

export interface WriterOptions {
  credential: LiveCredential;
  ladder: EncodedRendition[];
  /** Segments to upload per rendition, one a second. */
  seconds: number;
}

/** What one rendition's uploads were. */
export interface RenditionUploads {
  rendition: string;
  kbps: number;
  posts: { segment: number; index: number; full: number; init: number };
  bytes: { segment: number; playlist: number; init: number };
  /** Segment POST times (request to S3's answer), ms. */
  segmentPostMs: number[];
}

export interface WriterResult {
  kind: 'done';
  startedAt: number;
  seconds: number;
  renditions: RenditionUploads[];
  /** The multivariant playlists (index.m3u8, replay.m3u8): POSTs and bytes. */
  masters: { posts: number; bytes: number };
  /** How late each one-second tick's uploads finished past the tick's own second, ms. */
  tickOverrunMs: number[];
  failures: string[];
}

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const SEGMENT_TYPE = 'video/mp4';
const wallClock = () => performance.timeOrigin + performance.now();
const sleepUntil = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - wallClock())));

/** One multipart POST, as the SDK's uploader sends it: the policy's fields, key, Content-Type, file last. */
async function postObject(credential: LiveCredential, path: string, body: Buffer | string, type: string) {
  const form = new FormData();
  for (const [name, value] of Object.entries(credential.fields)) form.append(name, value);
  form.append('key', `${credential.keyPrefix}${path}`);
  form.append('Content-Type', type);
  form.append('file', new Blob([typeof body === 'string' ? body : new Uint8Array(body)]));
  const res = await fetch(credential.url, {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${text.slice(0, 200)}`);
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}

async function write(options: WriterOptions): Promise<WriterResult> {
  const { credential, ladder, seconds } = options;
  const failures: string[] = [];
  const state = ladder.map((r) => {
    const begun = beginRun(EMPTY_HISTORY);
    return {
      r,
      history: begun.history as RenditionHistory,
      map: begun.map,
      lastFullAt: Number.NEGATIVE_INFINITY,
      fullBytes: 0,
      uploads: {
        rendition: r.name,
        kbps: r.kbps,
        posts: { segment: 0, index: 0, full: 0, init: 0 },
        bytes: { segment: 0, playlist: 0, init: 0 },
        segmentPostMs: [] as number[],
      } satisfies RenditionUploads,
    };
  });
  const masters = { posts: 0, bytes: 0 };
  const tickOverrunMs: number[] = [];

  for (const s of state) {
    s.uploads.bytes.init += await postObject(
      credential,
      `${s.r.name}/${s.map}`,
      await readFile(s.r.init),
      SEGMENT_TYPE,
    );
    s.uploads.posts.init++;
  }
  const startedAt = Math.ceil(wallClock() / 1000) * 1000;
  const count = Math.min(seconds, ...ladder.map((r) => r.segments.length));
  for (let i = 0; i < count; i++) {
    const tick = startedAt + (i + 1) * 1000;
    await sleepUntil(tick);
    await Promise.all(
      state.map(async (s) => {
        const source = s.r.segments[i];
        if (!source) return;
        try {
          const sent = performance.now();
          const body = await readFile(source.path);
          s.uploads.bytes.segment += await postObject(credential, `${s.r.name}/${i}.m4s`, body, SEGMENT_TYPE);
          s.uploads.segmentPostMs.push(performance.now() - sent);
          s.uploads.posts.segment++;
          // Listed only once readable: after S3's 2xx (docs/live.md).
          s.history = appendSegment(s.history, {
            durationSec: source.durationSec,
            programDateTime: tick - source.durationSec * 1000,
            map: s.map,
          }).history;
          s.uploads.bytes.playlist += await postObject(
            credential,
            `${s.r.name}/index.m3u8`,
            indexPlaylist(s.history, { ended: false }),
            PLAYLIST_TYPE,
          );
          s.uploads.posts.index++;
          const now = wallClock();
          if (fullPlaylistDue({ bytes: s.fullBytes, kbps: s.r.kbps, sinceMs: now - s.lastFullAt })) {
            s.fullBytes = await postObject(
              credential,
              `${s.r.name}/full.m3u8`,
              fullPlaylist(s.history, { ended: false }),
              PLAYLIST_TYPE,
            );
            s.uploads.bytes.playlist += s.fullBytes;
            s.uploads.posts.full++;
            s.lastFullAt = now;
          }
        } catch (error) {
          failures.push(String(error));
        }
      }),
    );
    if (i === 0) {
      const variants = ladder.map((r) => ({
        name: r.name,
        bandwidth: r.kbps * 1100,
        averageBandwidth: r.kbps * 1000,
        width: r.width,
        height: r.height,
        codecs: r.codecs,
        frameRate: FRAME_RATE,
      }));
      for (const [name, playlist] of [
        ['index.m3u8', 'index.m3u8'],
        ['replay.m3u8', 'full.m3u8'],
      ] as const) {
        masters.bytes += await postObject(
          credential,
          name,
          masterPlaylist(variants, playlist),
          PLAYLIST_TYPE,
        );
        masters.posts++;
      }
      parentPort?.postMessage({ kind: 'ready', startedAt });
    }
    tickOverrunMs.push(Math.max(0, wallClock() - (tick + 1000)));
  }
  // The end: ENDLIST on both playlists of every rendition.
  await Promise.all(
    state.map(async (s) => {
      for (const [name, text] of [
        ['index.m3u8', indexPlaylist(s.history, { ended: true })],
        ['full.m3u8', fullPlaylist(s.history, { ended: true })],
      ] as const) {
        s.uploads.bytes.playlist += await postObject(credential, `${s.r.name}/${name}`, text, PLAYLIST_TYPE);
        s.uploads.posts[name === 'index.m3u8' ? 'index' : 'full']++;
      }
    }),
  );
  return {
    kind: 'done',
    startedAt,
    seconds: count,
    renditions: state.map((s) => s.uploads),
    masters,
    tickOverrunMs,
    failures,
  };
}

parentPort?.postMessage(await write(workerData as WriterOptions));
