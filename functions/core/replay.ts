/**
 * Which replay a stream serves (docs/live.md, "Replay"). A stream that ended with a live ladder
 * already has a complete VOD: its `live/{id}/replay.m3u8` over the full-history playlists, which
 * finishLive (or the broadcaster's SDK) ended. It plays at once, until MediaConvert's transcoded
 * ladder is ready and takes over; a stream with neither has no replay yet.
 */
import { liveReplayUrl } from './live-layout.ts';
import type { StreamRecord } from './model.ts';

/** `live`: the live ladder's own replay; `transcoded`: MediaConvert's ladder (docs/recording.md). */
export type ReplaySource = 'live' | 'transcoded';

export interface Replay {
  source: ReplaySource;
  playbackUrl: string;
}

/**
 * The transcoded ladder once ready; otherwise the live replay of a stream that ended with a live
 * ladder (`ladderKbps`) and was meant to be kept (`recordingEnabled`), unless its owner deleted the
 * recording. `mediaBaseUrl` is where the CDN serves the bucket; without it (callers that never see
 * an ended stream: the live list, a new stream) only a transcoded replay is found.
 */
export function replayOf(stream: StreamRecord, mediaBaseUrl: string | undefined): Replay | undefined {
  const { recording } = stream;
  if (recording?.status === 'ready' && recording.playbackUrl) {
    return { source: 'transcoded', playbackUrl: recording.playbackUrl };
  }
  if (
    recording?.status === 'deleted' ||
    !stream.recordingEnabled ||
    stream.status !== 'ended' ||
    stream.ladderKbps === undefined ||
    mediaBaseUrl === undefined
  ) {
    return undefined;
  }
  return { source: 'live', playbackUrl: liveReplayUrl(mediaBaseUrl, stream.streamId) };
}
