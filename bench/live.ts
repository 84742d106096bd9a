/**
 * Scenario 7, the live HLS tier at load: a stream goes live with a ladder (its broadcaster reports
 * `stream:uplink` with no uplink to spare, so every viewer is on the HLS tier), a Node-side writer
 * uploads real CMAF segments and playlists through the stream's upload credential (presigned POST)
 * one second at a time (bench/live-writer.ts), and `players` simulated HLS players
 * (bench/hls-players.ts, in worker threads) play it from the CloudFront stand-in for `seconds`.
 * Meanwhile a sample of real HLS viewers joins and beats `POST /presence` as the SDK does, so the
 * meter counts what a join and a beat cost.
 *
 * Locally every player request reaches the origin (the stand-in has no cache): this measures that
 * the origin serves a live ladder to `players` at once without an error, and what a player asks
 * for; the CDN's caching is the model in bench/live-cost.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { tunable } from '../functions/config.ts';
import type { LocalStack } from '../local/stack.ts';
import { LightSocket } from '../test/support/light-socket.ts';
import type { LiveCredential } from '../web/sdk/types.ts';
import { post } from './api.ts';
import type { PlayersOptions } from './hls-players.ts';
import { encodeLadder } from './live-source.ts';
import type { WriterOptions, WriterResult } from './live-writer.ts';
import { byLabel, type Meter, per, total, type Usage } from './meter.ts';
import { percentile, round, spread } from './stats.ts';
import { resultOf, startWorker } from './worker.ts';

export interface LiveOptions {
  players: number;
  seconds: number;
  /** Player worker threads. */
  workers: number;
  /** Real viewers who join (REST) and beat presence during the run. */
  presenceViewers: number;
  rendition: PlayersOptions['rendition'];
  /** Players arrive over this many seconds (a live audience does not come in one instant). */
  rampSeconds: number;
}

interface PlayersResult {
  players: number;
  startedAt: number;
  endedAt: number;
  requests: { master: number; playlist: number; init: number; segment: number };
  bytes: number;
  errors: number;
  fatal: { master: number; playlist: number; init: number; segment: number };
  errorSamples: string[];
  segmentFetchMs: number[];
  playlistFetchMs: ReturnType<typeof spread>;
  lagMs: number[];
  perPlayerMedianLagMs: number[];
  skippedSegments: number;
  stalledPlayers: number;
}

const wallClock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The writer's two messages: ready (the multivariant playlist is up), then its result. */
function writerMessages(worker: Worker) {
  let ready!: (startedAt: number) => void;
  let done!: (result: WriterResult) => void;
  let fail!: (error: Error) => void;
  const readyP = new Promise<number>((resolve, reject) => {
    ready = resolve;
    fail = reject;
  });
  const doneP = new Promise<WriterResult>((resolve, reject) => {
    done = resolve;
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`writer exited (${code}) without a result`)));
  });
  worker.once('error', (error) => fail(error));
  worker.on('message', (m: { kind: string; startedAt: number }) => {
    if (m.kind === 'ready') ready(m.startedAt);
    else done(m as WriterResult);
  });
  // A writer that fails before it is ready settles `ready` too.
  doneP.catch(fail);
  return { ready: readyP, done: doneP };
}

/** `post`, tried up to `tries` times a second apart: the stack under the players' load may drop a connection. */
async function postRetried(
  stack: LocalStack,
  path: string,
  token: string,
  body: unknown,
  failures: string[],
  tries = 3,
) {
  for (let i = 1; ; i++) {
    try {
      return await post(stack, path, token, body);
    } catch (error) {
      failures.push(String(error));
      if (i >= tries) throw error;
      await sleep(1000);
    }
  }
}

/** Joins the HLS tier and beats presence when the service says, until `until`. */
async function presenceViewer(stack: LocalStack, streamId: string, token: string, until: number) {
  const failures: string[] = [];
  const joined = await postRetried(stack, `/${streamId}/join`, token, {}, failures);
  if (joined.mode !== 'hls') throw new Error(`expected the HLS tier, got ${joined.mode}`);
  let beats = 0;
  let wait = Number(joined.presence?.nextBeatInMs ?? 0);
  while (wallClock() + wait < until) {
    await sleep(wait);
    const beat = await postRetried(
      stack,
      `/${streamId}/presence`,
      token,
      { viewerId: joined.viewerId },
      failures,
    );
    beats++;
    wait = Number(beat.nextBeatInMs);
  }
  return { viewerId: joined.viewerId as string, beats, failures };
}

export async function liveScenario(stack: LocalStack, meter: Meter, options: LiveOptions) {
  const owner = await stack.issuer.mint({ userId: 'bench-live-owner' });
  const { streamId } = await post(stack, '/create', owner, { title: 'bench live', recordingEnabled: false });
  const { signaling } = await post(stack, `/${streamId}/start`, owner);
  const broadcaster = await LightSocket.connect(signaling.url, signaling.ticket);
  await broadcaster.request('stream:offer', {}, 'register');
  const dir = await mkdtemp(join(tmpdir(), 'dreamx-live-bench-'));
  try {
    // Encoded before the clock starts; a few seconds more than the run, so the ladder never runs dry.
    const encodeStarted = performance.now();
    const ladder = await encodeLadder(dir, options.seconds + 4);
    const encodeSeconds = round((performance.now() - encodeStarted) / 1000, 1);
    const ladderKbps = ladder.reduce((sum, r) => sum + r.kbps, 0);
    // No uplink to spare: no peer seats, every viewer on the HLS tier.
    await meter.settle();
    meter.take();
    await broadcaster.request('stream:uplink', { ladderKbps, uplinkKbps: 0 }, 'uplink');
    await meter.settle();
    const uplinkUsage = meter.take();

    const credential = (await post(stack, `/${streamId}/live/credential`, owner)) as LiveCredential;
    const tokens = await Promise.all(
      Array.from({ length: options.presenceViewers }, (_, i) =>
        stack.issuer.mint({ userId: `bench-live-viewer-${i}` }),
      ),
    );
    await meter.settle();
    const credentialUsage = meter.take();

    // The players' threads boot first (seconds on a busy machine), then the broadcaster goes live,
    // then everyone plays the same `seconds`.
    const perWorker = Math.ceil(options.players / options.workers);
    const playerWorkers = Array.from({ length: options.workers }, (_, w) =>
      startWorker(new URL('./hls-players.ts', import.meta.url), {
        masterUrl: credential.playback.hls,
        players: Math.min(perWorker, options.players - w * perWorker),
        seconds: options.seconds,
        rendition: options.rendition,
        rampMs: Math.min(2000, options.seconds * 200),
        offset: w * perWorker,
      } satisfies PlayersOptions),
    );
    await Promise.all(playerWorkers.map((worker) => resultOf<{ kind: 'booted' }>(worker)));
    const players = playerWorkers.map((worker) => resultOf<PlayersResult>(worker));
    const writer = startWorker(new URL('./live-writer.ts', import.meta.url), {
      credential,
      ladder,
      seconds: options.seconds + 3,
    } satisfies WriterOptions);
    const writing = writerMessages(writer);
    await writing.ready;
    const until = wallClock() + options.seconds * 1000;
    for (const worker of playerWorkers) worker.postMessage({ until });
    const joinsAndBeats = Promise.all(tokens.map((token) => presenceViewer(stack, streamId, token, until)));
    const results = await Promise.all(players);
    const viewers = await joinsAndBeats;
    const written = await writing.done;
    await meter.settle();
    const runUsage = meter.take();
    // Under load every handler shares the thread with the CDN: one beat each, one at a time, in a
    // fresh presence window once the players have stopped, for the beat's own duration.
    const windowMs = tunable('PRESENCE_WINDOW_SECONDS') * 1000;
    await sleep(Math.ceil(wallClock() / windowMs) * windowMs - wallClock() + 100);
    for (const [i, viewer] of viewers.entries()) {
      await post(stack, `/${streamId}/presence`, tokens[i] as string, { viewerId: viewer.viewerId });
    }
    await meter.settle();
    const quietBeatUsage = meter.take();
    await post(stack, `/${streamId}/end`, owner);
    await broadcaster.close();
    await meter.settle();
    meter.take();

    return summarize(options, {
      ladder,
      encodeSeconds,
      written,
      results,
      beatCounts: viewers.map((v) => v.beats),
      presenceFailures: viewers.flatMap((v) => v.failures),
      credentialUsage,
      uplinkUsage,
      runUsage,
      quietBeatUsage,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function summarize(
  options: LiveOptions,
  run: {
    ladder: Awaited<ReturnType<typeof encodeLadder>>;
    encodeSeconds: number;
    written: WriterResult;
    results: PlayersResult[];
    beatCounts: number[];
    presenceFailures: string[];
    credentialUsage: Record<string, Usage>;
    uplinkUsage: Record<string, Usage>;
    runUsage: Record<string, Usage>;
    quietBeatUsage: Record<string, Usage>;
  },
) {
  const { results, written } = run;
  const seconds =
    (Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt))) / 1000;
  const requests = results.reduce(
    (sum, r) => ({
      master: sum.master + r.requests.master,
      playlist: sum.playlist + r.requests.playlist,
      init: sum.init + r.requests.init,
      segment: sum.segment + r.requests.segment,
    }),
    { master: 0, playlist: 0, init: 0, segment: 0 },
  );
  const allRequests = requests.master + requests.playlist + requests.init + requests.segment;
  const bytes = results.reduce((sum, r) => sum + r.bytes, 0);
  const errors = results.reduce((sum, r) => sum + r.errors, 0);
  const fatal = results.reduce(
    (sum, r) => ({
      master: sum.master + r.fatal.master,
      playlist: sum.playlist + r.fatal.playlist,
      init: sum.init + r.fatal.init,
      segment: sum.segment + r.fatal.segment,
    }),
    { master: 0, playlist: 0, init: 0, segment: 0 },
  );
  const segmentFetchMs = spread(results.flatMap((r) => r.segmentFetchMs));
  const lagMs = spread(results.flatMap((r) => r.lagMs));
  const perPlayerLag = results.flatMap((r) => r.perPlayerMedianLagMs);
  const playerSeconds = options.seconds;

  // The broadcaster's side: what each rendition uploaded, per second of stream.
  const uploads = written.renditions.map((r) => {
    const posts = r.posts.segment + r.posts.index + r.posts.full + r.posts.init;
    return {
      rendition: r.rendition,
      ladderKbps: r.kbps,
      uploadedKbps: round(
        ((r.bytes.segment + r.bytes.playlist + r.bytes.init) * 8) / written.seconds / 1000,
        0,
      ),
      segmentKbps: round((r.bytes.segment * 8) / written.seconds / 1000, 0),
      meanSegmentBytes: Math.round(r.bytes.segment / Math.max(1, r.posts.segment)),
      postsPerSecond: round(posts / written.seconds, 2),
      posts: r.posts,
      segmentPostMs: spread(r.segmentPostMs),
    };
  });

  const beats = run.beatCounts.reduce((a, b) => a + b, 0);
  const beatUsage = total(run.runUsage, (l) => l === 'beatPresence');
  const joinUsage = total(run.runUsage, (l) => l === 'joinStream');
  const byHandler = byLabel(run.runUsage);
  const figures = {
    players: options.players,
    seconds: round(seconds, 1),
    rendition: options.rendition,
    workers: options.workers,
    requests,
    requestsPerSecond: round(allRequests / seconds, 0),
    requestsPerPlayerSecond: round(allRequests / options.players / playerSeconds, 2),
    bytes,
    megabytesPerSecond: round(bytes / seconds / 1e6, 1),
    errors,
    fatal,
    errorSamples: results.flatMap((r) => r.errorSamples).slice(0, 10),
    segmentFetchMs,
    playlistFetchMsP50: percentile(
      results.map((r) => r.playlistFetchMs.p50),
      50,
    ),
    lagMs,
    perPlayerMedianLagMs: spread(perPlayerLag),
    skippedSegments: results.reduce((sum, r) => sum + r.skippedSegments, 0),
    stalledPlayers: results.reduce((sum, r) => sum + r.stalledPlayers, 0),
    ladder: run.ladder.map((r) => ({
      rendition: r.name,
      size: `${r.width}x${r.height}`,
      kbps: r.kbps,
      codecs: r.codecs,
    })),
    encodeSeconds: run.encodeSeconds,
    broadcaster: {
      seconds: written.seconds,
      uploads,
      masters: written.masters,
      tickOverrunMs: spread(written.tickOverrunMs),
      failures: written.failures,
    },
    presence: {
      viewers: options.presenceViewers,
      beats,
      /** Joins and beats that failed and were tried again (connections the loaded stack dropped). */
      retried: run.presenceFailures.length,
      retriedSamples: run.presenceFailures.slice(0, 5),
      perJoin: per(joinUsage, options.presenceViewers),
      perBeat: per(beatUsage, beats),
      beatMsP50: byHandler.beatPresence?.durationMsP50 ?? 0,
      joinMsP50: byHandler.joinStream?.durationMsP50 ?? 0,
      credential: byLabel(run.credentialUsage).issueLiveCredential ?? null,
      /** One beat per viewer, one at a time, in a fresh window after the players stopped. */
      quietBeat: byLabel(run.quietBeatUsage, options.presenceViewers).beatPresence ?? null,
    },
    /** The broadcaster's `stream:uplink` report (the SDK sends one every 10 s). */
    uplinkReport: byLabel(run.uplinkUsage)['wsDefault stream:uplink'] ?? null,
    byHandler,
  };
  const ms = (value: number) => Math.round(value);
  const table = [
    {
      figure: `${options.players} HLS players, ${options.rendition} rendition: requests`,
      count: allRequests,
      perSecond: figures.requestsPerSecond,
      'MB/s': figures.megabytesPerSecond,
      errors,
      p50Ms: ms(segmentFetchMs.p50),
      p95Ms: ms(segmentFetchMs.p95),
      note: 'p50/p95: segment fetch',
    },
    {
      figure: 'player lag (segment in hand - capture of its last frame)',
      count: lagMs.n,
      p50Ms: ms(lagMs.p50),
      p95Ms: ms(lagMs.p95),
      note: `${figures.skippedSegments} segments skipped, ${figures.stalledPlayers} players got none, ${fatal.master} gave up on the master`,
    },
    ...uploads.map((u) => ({
      figure: `broadcaster upload ${u.rendition} (${u.ladderKbps} kbit/s ladder)`,
      count: u.posts.segment + u.posts.index + u.posts.full + u.posts.init,
      perSecond: u.postsPerSecond,
      'MB/s': round(u.uploadedKbps / 8000, 3),
      errors: written.failures.length,
      p50Ms: ms(u.segmentPostMs.p50),
      p95Ms: ms(u.segmentPostMs.p95),
      note: `${u.uploadedKbps} kbit/s uploaded; p50/p95: segment POST`,
    })),
    {
      figure: `presence beats (${options.presenceViewers} HLS viewers)`,
      count: beats,
      perSecond: round(beats / seconds, 2),
      errors: run.presenceFailures.length,
      p50Ms: ms(figures.presence.beatMsP50),
      note: `a beat: ${figures.presence.perBeat.writes} writes, ${figures.presence.perBeat.wru} WRU; alone ${figures.presence.quietBeat?.durationMsP50 ?? '-'} ms`,
    },
  ];
  return { table, figures };
}
