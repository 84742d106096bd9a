/**
 * The Broadcaster's side of the HLS tier: it starts the live ladder once the stream is live (a
 * new run each `start()`), ends it with EXT-X-ENDLIST, and tells the service what the ladder
 * sends and what the uplink carries (`stream:uplink`), from which the service sets the stream's
 * peer-to-peer seats (docs/live.md). The ladder and mediabunny are loaded only when it starts.
 */
import { type LivestreamError, toLivestreamError } from '../errors.ts';
import type { LiveLadder } from './ladder.ts';
import type { UploadStats } from './queue.ts';
import type { CredentialSource } from './uploader.ts';

/**
 * The Broadcaster's `live` option.
 *
 * @example
 * new Broadcaster({ api, streamId, live: { enabled: true, uplinkKbps: 8000 } });
 */
export interface LiveOptions {
  /** Run the live ladder; by default when the browser has WebCodecs (`VideoEncoder`). */
  enabled?: boolean;
  /** A measured uplink (kbit/s) to fit the ladder to; otherwise the last one the peers measured. */
  uplinkKbps?: number;
  /** How often `stream:uplink` is sent; 10 s by default. */
  reportIntervalMs?: number;
}

/** `stream:uplink`'s data. */
export interface UplinkReport {
  ladderKbps: number;
  uplinkKbps?: number;
}

/** @internal What a {@link LiveTier} needs from its Broadcaster. */
export interface LiveTierDeps {
  options: LiveOptions | undefined;
  credentials: CredentialSource;
  /** Sends `stream:uplink`; false when the socket is not open. */
  report(data: UplinkReport): boolean;
  /** The broadcaster's peer connections now. */
  peers(): Iterable<RTCPeerConnection>;
  onError(error: LivestreamError): void;
  fetch?: typeof fetch;
}

const REPORT_INTERVAL_MS = 10_000;

/**
 * The uplink a peer connection's congestion control measures (`availableOutgoingBitrate` of its
 * selected candidate pair), in kbit/s: the highest of any, or undefined without one.
 *
 * @example
 * const uplinkKbps = await measureUplinkKbps([...peers].map((p) => p.pc));
 */
export async function measureUplinkKbps(peers: Iterable<RTCPeerConnection>): Promise<number | undefined> {
  let best: number | undefined;
  for (const pc of peers) {
    const report = await pc.getStats().catch(() => undefined);
    report?.forEach(
      (stat: { type?: string; nominated?: boolean; state?: string; availableOutgoingBitrate?: number }) => {
        if (stat.type !== 'candidate-pair' || typeof stat.availableOutgoingBitrate !== 'number') return;
        if (!stat.nominated && stat.state !== 'succeeded') return;
        best = Math.max(best ?? 0, stat.availableOutgoingBitrate / 1000);
      },
    );
  }
  return best === undefined ? undefined : Math.round(best);
}

/** @internal See the file's comment. */
export class LiveTier {
  private ladder: LiveLadder | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private uplinkKbps: number | undefined;

  constructor(private readonly deps: LiveTierDeps) {}

  /** Whether this broadcaster runs a ladder at all. */
  get enabled(): boolean {
    return this.deps.options?.enabled ?? typeof globalThis.VideoEncoder === 'function';
  }

  /** What the running ladder sends, in kbit/s; 0 without one. */
  get ladderKbps(): number {
    return this.ladder?.kbps ?? 0;
  }

  /** Per rendition: bytes, segments, the last segment's latency. */
  stats(): Record<string, UploadStats> {
    return this.ladder?.stats() ?? {};
  }

  /**
   * Starts a run on `stream` (ending the one before, without ENDLIST: the stream goes on). Reports
   * begin once its masters are readable. A ladder that cannot start is reported on `onError`; the
   * broadcast goes on.
   */
  async start(stream: MediaStream): Promise<void> {
    if (!this.enabled) return;
    await this.stop(false);
    try {
      const { LiveLadder } = await import('./ladder.ts');
      this.ladder = await LiveLadder.start({
        stream,
        credentials: this.deps.credentials,
        uplinkKbps: this.deps.options?.uplinkKbps ?? this.uplinkKbps,
        fetch: this.deps.fetch,
        onPlayable: () => void this.report(),
        onError: (error) => {
          this.deps.onError(error);
          void this.report();
        },
      });
    } catch (error) {
      this.deps.onError(toLivestreamError(error, 'LIVE'));
      return;
    }
    const every = this.deps.options?.reportIntervalMs ?? REPORT_INTERVAL_MS;
    this.timer = setInterval(() => void this.report(), every);
  }

  /** Ends the run (`ended`: the stream is over, EXT-X-ENDLIST) and the reports. */
  async stop(ended: boolean): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const ladder = this.ladder;
    this.ladder = undefined;
    await ladder?.stop({ ended });
  }

  /**
   * Sends `stream:uplink` now, once the running ladder is playable (a broadcaster without one says
   * nothing: its stream keeps the peer tier only); `ladderKbps` 0 once it failed. The socket may
   * be closed: then the next report will do.
   */
  async report(): Promise<void> {
    const ladder = this.ladder;
    if (!ladder?.playable) return;
    const measured = await measureUplinkKbps(this.deps.peers());
    if (measured !== undefined) this.uplinkKbps = measured;
    this.deps.report({
      ladderKbps: Math.round(ladder.kbps),
      ...(this.uplinkKbps !== undefined && { uplinkKbps: this.uplinkKbps }),
    });
  }
}
