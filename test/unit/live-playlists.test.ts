import { describe, expect, it } from 'vitest';
import { endOf, LATE_AFTER_MS, lateSegments } from '../../web/sdk/live/live-edge.ts';
import {
  appendSegment,
  beginRun,
  EMPTY_HISTORY,
  fullPlaylist,
  fullPlaylistDue,
  indexPlaylist,
  masterPlaylist,
  type RenditionHistory,
  type Variant,
  WINDOW_SEGMENTS,
} from '../../web/sdk/live/playlists.ts';
import { parseMediaPlaylist, resumeHistory } from '../../web/sdk/live/resume.ts';

const T0 = Date.parse('2026-12-03T18:00:00.000Z');

/** A run of `count` one-second segments starting at `startMs`. */
function run(
  history: RenditionHistory,
  count: number,
  startMs: number,
): { history: RenditionHistory; map: string } {
  const begun = beginRun(history);
  let h = begun.history;
  for (let i = 0; i < count; i++) {
    h = appendSegment(h, {
      durationSec: 1 + i / 1000,
      programDateTime: startMs + i * 1000,
      map: begun.map,
    }).history;
  }
  return { history: h, map: begun.map };
}

const tag = (text: string, name: string) =>
  text
    .split('\n')
    .find((l) => l.startsWith(`${name}:`))
    ?.split(':')[1];
const uris = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
const count = (text: string, line: string) => text.split('\n').filter((l) => l === line).length;

describe('the live playlists', () => {
  it('slides the window: the last six segments, MEDIA-SEQUENCE the first of them', () => {
    const { history } = run(EMPTY_HISTORY, 10, T0);
    const index = indexPlaylist(history, { ended: false });
    expect(uris(index)).toEqual(['4.m4s', '5.m4s', '6.m4s', '7.m4s', '8.m4s', '9.m4s']);
    expect(uris(index)).toHaveLength(WINDOW_SEGMENTS);
    expect(tag(index, '#EXT-X-MEDIA-SEQUENCE')).toBe('4');
    expect(tag(index, '#EXT-X-DISCONTINUITY-SEQUENCE')).toBe('0');
    expect(tag(index, '#EXT-X-VERSION')).toBe('7');
    expect(tag(index, '#EXT-X-TARGETDURATION')).toBe('1');
    expect(count(index, '#EXT-X-MAP:URI="init-0.mp4"')).toBe(1);
    expect(index).not.toContain('#EXT-X-ENDLIST');
    expect(index).not.toContain('PLAYLIST-TYPE');
  });

  it('puts a PROGRAM-DATE-TIME (the wall clock) and the real duration on every segment', () => {
    const { history } = run(EMPTY_HISTORY, 8, T0);
    for (const text of [indexPlaylist(history, { ended: false }), fullPlaylist(history, { ended: false })]) {
      const lines = text.split('\n');
      for (const uri of uris(text)) {
        const at = lines.indexOf(uri);
        expect(lines[at - 1]).toMatch(/^#EXTINF:1\.00\d,$/);
        expect(lines[at - 2]).toMatch(/^#EXT-X-PROGRAM-DATE-TIME:2026-12-03T18:00:0\d\.000Z$/);
      }
    }
    expect(indexPlaylist(history, { ended: false })).toContain(
      '#EXT-X-PROGRAM-DATE-TIME:2026-12-03T18:00:07.000Z\n#EXTINF:1.007,\n7.m4s',
    );
  });

  it('lists every segment since the start in full.m3u8, an EVENT playlist', () => {
    const { history } = run(EMPTY_HISTORY, 10, T0);
    const full = fullPlaylist(history, { ended: false });
    expect(tag(full, '#EXT-X-PLAYLIST-TYPE')).toBe('EVENT');
    expect(tag(full, '#EXT-X-MEDIA-SEQUENCE')).toBe('0');
    expect(uris(full)).toHaveLength(10);
    expect(full).not.toContain('#EXT-X-ENDLIST');
  });

  it('ends both with EXT-X-ENDLIST', () => {
    const { history } = run(EMPTY_HISTORY, 3, T0);
    expect(indexPlaylist(history, { ended: true }).trimEnd().split('\n').at(-1)).toBe('#EXT-X-ENDLIST');
    expect(fullPlaylist(history, { ended: true }).trimEnd().split('\n').at(-1)).toBe('#EXT-X-ENDLIST');
  });

  it('resumes from what it reads: numbering goes on, a discontinuity and a new init mark the new run', () => {
    const first = run(EMPTY_HISTORY, 10, T0).history;
    const read = resumeHistory(indexPlaylist(first, { ended: false }), fullPlaylist(first, { ended: false }));
    expect(read.nextSequence).toBe(10);
    const second = run(read, 3, T0 + 60_000);
    expect(second.map).toBe('init-1.mp4');

    const index = indexPlaylist(second.history, { ended: false });
    expect(uris(index)).toEqual(['7.m4s', '8.m4s', '9.m4s', '10.m4s', '11.m4s', '12.m4s']);
    expect(tag(index, '#EXT-X-MEDIA-SEQUENCE')).toBe('7');
    expect(tag(index, '#EXT-X-DISCONTINUITY-SEQUENCE')).toBe('0');
    // The old run's map first, then the discontinuity and the new run's map before segment 10.
    expect(index).toContain('#EXT-X-MAP:URI="init-0.mp4"');
    expect(index).toContain(
      '9.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-1.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-12-03T18:01:00.000Z',
    );

    const full = fullPlaylist(second.history, { ended: false });
    expect(uris(full)).toHaveLength(13);
    expect(count(full, '#EXT-X-DISCONTINUITY')).toBe(1);
  });

  it('marks a skip over dropped segments with a discontinuity, numbering on without a hole', () => {
    const { history, map } = run(EMPTY_HISTORY, 2, T0);
    // Segments 2 and 3 were too late to be live (live-edge.ts): the next one follows a gap.
    const after = appendSegment(history, { durationSec: 1, programDateTime: T0 + 4000, map, afterGap: true });
    const text = indexPlaylist(after.history, { ended: false });
    expect(after.segment).toMatchObject({ sequence: 2, uri: '2.m4s', discontinuity: true });
    expect(text).toContain(
      '#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2026-12-03T18:00:04.000Z\n#EXTINF:1.000,\n2.m4s',
    );
    expect(text.match(/#EXT-X-DISCONTINUITY\n/g)).toHaveLength(1);
    // Before anything was listed, a gap needs no tag.
    const first = appendSegment(beginRun(EMPTY_HISTORY).history, {
      durationSec: 1,
      programDateTime: T0,
      map: 'init-0.mp4',
      afterGap: true,
    });
    expect(first.segment.discontinuity).toBe(false);
  });

  it('drops the waiting segments too late to be live, never the newest', () => {
    const segment = (endMs: number) => ({ programDateTime: endMs - 1000, durationSec: 1 });
    const now = T0 + 10_000;
    const waiting = [
      segment(now - 5000),
      segment(now - LATE_AFTER_MS - 1),
      segment(now - LATE_AFTER_MS),
      segment(now - 500),
    ];
    expect(lateSegments(waiting, now)).toBe(2);
    expect(lateSegments([segment(now - 60_000)], now)).toBe(0);
    expect(lateSegments([segment(now - 60_000), segment(now - 59_000)], now)).toBe(1);
    expect(lateSegments([], now)).toBe(0);
    expect(endOf(segment(now))).toBe(now);
  });

  it('counts the discontinuities that slid out of the window in DISCONTINUITY-SEQUENCE', () => {
    let history = run(EMPTY_HISTORY, 4, T0).history;
    history = run(history, 2, T0 + 10_000).history; // discontinuity before 4
    history = run(history, 10, T0 + 20_000).history; // and before 6
    const index = indexPlaylist(history, { ended: false });
    expect(tag(index, '#EXT-X-MEDIA-SEQUENCE')).toBe('10');
    expect(tag(index, '#EXT-X-DISCONTINUITY-SEQUENCE')).toBe('2');
    expect(index).not.toContain('#EXT-X-DISCONTINUITY\n');
    expect(index).toContain('#EXT-X-MAP:URI="init-2.mp4"');

    // Right as the second one is the window's first segment: kept as a tag, not yet counted.
    const atEdge = indexPlaylist({ ...history, segments: history.segments.slice(0, 12) }, { ended: false });
    expect(tag(atEdge, '#EXT-X-MEDIA-SEQUENCE')).toBe('6');
    expect(tag(atEdge, '#EXT-X-DISCONTINUITY-SEQUENCE')).toBe('1');
    expect(atEdge).toContain(
      '#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-2.mp4"',
    );

    // Read back and resumed again: the same numbers, the next run init-3.
    const read = resumeHistory(index, fullPlaylist(history, { ended: false }));
    expect(read.discontinuityBase).toBe(0);
    expect(read.segments.filter((s) => s.discontinuity).map((s) => s.sequence)).toEqual([4, 6]);
    expect(beginRun(read).map).toBe('init-3.mp4');
    expect(indexPlaylist(read, { ended: false })).toBe(index);
  });

  it('starts fresh when nothing is found, and drops ENDLIST when what it finds had ended', () => {
    expect(resumeHistory(undefined, undefined)).toEqual(EMPTY_HISTORY);
    expect(beginRun(EMPTY_HISTORY)).toEqual({ history: EMPTY_HISTORY, map: 'init-0.mp4' });
    const { history } = run(EMPTY_HISTORY, 2, T0);
    const read = resumeHistory(
      indexPlaylist(history, { ended: true }),
      fullPlaylist(history, { ended: true }),
    );
    expect(indexPlaylist(read, { ended: false })).toBe(indexPlaylist(history, { ended: false }));
  });

  it('adds the window segments newer than a late full.m3u8, and bridges a gap between them', () => {
    const { history } = run(EMPTY_HISTORY, 30, T0);
    const stale = { ...history, segments: history.segments.slice(0, 12), nextSequence: 12 };
    const window = indexPlaylist(history, { ended: false }); // 24..29

    const read = resumeHistory(window, fullPlaylist(stale, { ended: false }));
    expect(read.segments.map((s) => s.sequence)).toEqual([...Array(30).keys()]);
    expect(read.nextSequence).toBe(30);
    const bridged = read.segments.slice(12, 24);
    expect(bridged.map((s) => s.uri)).toEqual(history.segments.slice(12, 24).map((s) => s.uri));
    // Their durations share out the wall clock between segment 11's end and segment 24's start.
    const total = bridged.reduce((sum, s) => sum + s.durationSec, 0);
    expect(total).toBeCloseTo(
      (history.segments[24]?.programDateTime ?? 0) / 1000 - (T0 + 11_000) / 1000 - 1.011,
      6,
    );
    expect(read.segments.slice(24)).toEqual(history.segments.slice(24));

    // Only the window (full.m3u8 missing): numbering still goes on from it.
    const fromWindow = resumeHistory(window, undefined);
    expect(fromWindow.segments.map((s) => s.sequence)).toEqual([24, 25, 26, 27, 28, 29]);
    expect(fromWindow.nextSequence).toBe(30);
  });

  it('reads the muxer playlist for timing: PDT, EXTINF, sequence', () => {
    const parsed = parseMediaPlaylist(
      '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:4\n#EXT-X-INDEPENDENT-SEGMENTS\n' +
        '#EXT-X-MAP:URI="init.mp4"\n\n#EXTINF:1.0343,\n#EXT-X-PROGRAM-DATE-TIME:2026-12-03T18:00:00.250Z\ns-5.m4s\n',
    );
    expect(parsed.segments).toEqual([
      {
        sequence: 4,
        uri: 's-5.m4s',
        durationSec: 1.0343,
        programDateTime: T0 + 250,
        map: 'init.mp4',
        discontinuity: false,
      },
    ]);
  });

  it('sends full.m3u8 at most every second, and less often as it grows', () => {
    expect(fullPlaylistDue({ bytes: 500, kbps: 796, sinceMs: 999 })).toBe(false);
    expect(fullPlaylistDue({ bytes: 500, kbps: 796, sinceMs: 1000 })).toBe(true);
    // An hour of segments (~270 KB) at 360p: every ~54 s keeps it under 5 % of 796 kbit/s.
    expect(fullPlaylistDue({ bytes: 270_000, kbps: 796, sinceMs: 50_000 })).toBe(false);
    expect(fullPlaylistDue({ bytes: 270_000, kbps: 796, sinceMs: 55_000 })).toBe(true);
  });

  it('writes the multivariant playlists with every attribute, lowest bandwidth first', () => {
    const variants: Variant[] = [
      {
        name: '720p',
        bandwidth: 2_855_600,
        averageBandwidth: 2_596_000,
        width: 1280,
        height: 720,
        codecs: ['avc1.640028', 'opus'],
        frameRate: 30,
      },
      {
        name: '360p',
        bandwidth: 875_600,
        averageBandwidth: 796_000,
        width: 640,
        height: 360,
        codecs: ['avc1.640028', 'mp4a.40.2'],
        frameRate: 29.97,
      },
    ];
    expect(masterPlaylist(variants, 'index.m3u8')).toBe(
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=875600,AVERAGE-BANDWIDTH=796000,RESOLUTION=640x360,CODECS="avc1.640028,mp4a.40.2",FRAME-RATE=29.970\n' +
        '360p/index.m3u8\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=2855600,AVERAGE-BANDWIDTH=2596000,RESOLUTION=1280x720,CODECS="avc1.640028,Opus",FRAME-RATE=30.000\n' +
        '720p/index.m3u8\n',
    );
    expect(uris(masterPlaylist(variants, 'full.m3u8'))).toEqual(['360p/full.m3u8', '720p/full.m3u8']);
  });
});
