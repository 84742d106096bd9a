import type { JoinResult, LivestreamApi } from './api.ts';
import { type ChatChannel, SocketChat } from './chat.ts';
import { Listenable } from './emitter.ts';
import { ApiError, type LivestreamError } from './errors.ts';
import type { ServerEvents } from './events.ts';
import { HlsWatch } from './hls-tier.ts';
import { type ReconnectOptions, type Schedule, SignalingSocket, type SocketState } from './socket.ts';
import type { ViewerTier } from './types.ts';
import { type EndedVia, StreamEnd } from './viewer-end.ts';
import { SeatPeer } from './viewer-peer.ts';

/** A seat whose broadcaster has sent no offer this long after `stream:join` falls back to HLS. */
export const OFFER_TIMEOUT_MS = 15_000;

/**
 * Options of a {@link Viewer}.
 *
 * @example
 * const options: ViewerOptions = { api, streamId };
 */
export interface ViewerOptions {
  api: LivestreamApi;
  streamId: string;
  /** Overrides the ICE servers `POST /join` returns (which carry TURN when configured). */
  iceServers?: RTCIceServer[];
  RTCPeerConnection?: typeof RTCPeerConnection;
  WebSocket?: typeof WebSocket;
  /** Builds `remoteStream` when a track arrives without one; the global MediaStream by default. */
  MediaStream?: typeof MediaStream;
  /** The socket's retry policy after a drop (see {@link SignalingSocket}). */
  reconnect?: ReconnectOptions | false;
  /** The socket's timer for reconnect delays. */
  schedule?: Schedule;
  /**
   * The `<video>` the HLS tier plays in (hls.js, or the browser's own HLS). Without it (Node) an
   * `hls` viewer keeps its session (presence beats) and plays nothing.
   */
  video?: HTMLVideoElement;
  /** A seat with no offer this long after `stream:join` falls back to HLS; {@link OFFER_TIMEOUT_MS}. */
  offerTimeoutMs?: number;
}

/**
 * What a {@link Viewer} emits.
 *
 * @example
 * const onEnded = ({ reason }: ViewerEvents['ended']) => showBanner(`The stream ended (${reason})`);
 */
export interface ViewerEvents {
  /** The broadcaster's media, each time a new peer connection brings it. */
  stream: MediaStream;
  /** The peer connection's state. */
  connection: RTCPeerConnectionState;
  /**
   * The stream is over; `message` is an admin's reason when `terminated`. `via`: what ended it
   * here: `playlist` when the HLS player reached the playlist's `#EXT-X-ENDLIST` (an HLS viewer
   * plays out the seconds it runs behind), `signaling` when the socket's `stream:ended` did.
   */
  ended: { reason: ServerEvents['stream:ended']['reason']; message?: string; via: EndedVia };
  /** The tier playing: set by `join()`; `webrtc` turns `hls` when a peer fails (or a reconnect lands past the seats). */
  tier: ViewerTier;
  /** The broadcaster dropped; it has `graceSeconds` to come back before the stream ends. */
  'broadcaster:left': { graceSeconds: number };
  /** A failure with no caller to reject (the peer, the socket, the chat room). */
  error: LivestreamError;
  /** The signaling socket's state. */
  state: SocketState;
}

/**
 * A viewer, on whichever tier `POST /join` placed it (docs/live.md). `webrtc`: the socket,
 * `stream:join`, and an answer to every offer the broadcaster sends (a new offer replaces the peer
 * connection). `hls`: the live ladder in `video`, presence beats, and the socket for chat only.
 *
 * A seat whose peer fails (ICE `failed`, or no offer within `offerTimeoutMs`) falls back to HLS
 * when the stream has a ladder: the viewer is placed again while it still holds the seat, so past
 * the seats it moves to the HLS tier (the seat freed for someone whose peer may work), and with
 * seats to spare it keeps its seat (counted there) and plays HLS on it.
 *
 * A dropped socket is reconnected. A seat's session closes with its socket, so a seat viewer joins
 * again over REST (a new `viewerId`, the old session left) and sends `stream:join` again; an HLS
 * session is not its socket's, and only a chat ticket is needed.
 *
 * @example
 * const viewer = new Viewer({ api, streamId, video });
 * viewer.on('stream', (stream) => (video.srcObject = stream)); // the webrtc tier
 * viewer.on('tier', (tier) => (label.textContent = tier));
 * viewer.on('ended', ({ reason }) => showBanner(reason));
 * await viewer.join();
 * // ...
 * await viewer.leave();
 */
export class Viewer extends Listenable<ViewerEvents> {
  /** The stream's chat room, over the signaling socket. */
  readonly chat: ChatChannel;
  private readonly socket: SignalingSocket;
  private session: JoinResult | undefined;
  private fresh: JoinResult | undefined;
  private readonly peer: SeatPeer;
  private tier_: ViewerTier | undefined;
  private hls: HlsWatch | undefined;
  private readonly end: StreamEnd;

  constructor(private readonly options: ViewerOptions) {
    super();
    const { api, streamId } = options;
    this.socket = new SignalingSocket({
      ticket: () => this.ticket(),
      WebSocket: options.WebSocket,
      reconnect: options.reconnect,
      schedule: options.schedule,
    });
    this.chat = new SocketChat(this.socket, api, streamId, this.fail);
    this.peer = new SeatPeer(this.socket, {
      RTCPeerConnection: options.RTCPeerConnection,
      MediaStream: options.MediaStream,
      iceServers: () => options.iceServers ?? this.session?.iceServers ?? [],
      active: () => this.tier_ === 'webrtc',
      stream: (stream) => this.events.emit('stream', stream),
      state: (state) => this.events.emit('connection', state),
      failed: () => void this.fallBack(),
      error: this.fail,
    });
    this.end = new StreamEnd({
      playingHls: () => this.tier_ === 'hls' && this.hls?.playing === true,
      reason: async () => (await api.getStream(streamId).catch(() => undefined))?.endReason ?? undefined,
      report: (ended) => {
        // Listeners first, so they can let go of the media before it closes.
        this.events.emit('ended', ended);
        this.stop(false);
      },
    });
    this.socket.on('state', (state) => this.events.emit('state', state));
    this.socket.on('error', (error) => {
      this.fail(error);
      // The stream ended while this viewer was disconnected: say so, as stream:ended would have.
      if (error instanceof ApiError && error.code === 'STREAM_ENDED') void this.end.signaled();
    });
    this.socket.on('open', ({ reconnected }) => {
      if (reconnected && this.session?.mode === 'webrtc') this.askForOffer().catch(this.fail);
    });
    this.socket.on('stream:broadcaster:left', (data) => this.events.emit('broadcaster:left', data));
    this.socket.on('stream:ended', ({ reason, message }) => void this.end.signaled({ reason, message }));
  }

  /** The broadcaster's media, once a peer connection brought it. */
  get remoteStream(): MediaStream | undefined {
    return this.peer.remoteStream;
  }

  /** The current peer connection's state; `new` before the first offer. */
  get connectionState(): RTCPeerConnectionState | 'new' {
    return this.peer.state;
  }

  /** This viewing session's id (a new one after a reconnect); undefined before `join()`. */
  get viewerId(): string | undefined {
    return this.session?.viewerId;
  }

  /** The signaling socket's state. */
  get state(): SocketState {
    return this.socket.state;
  }

  /** The tier playing (see the `tier` event); undefined before `join()`. */
  get tier(): ViewerTier | undefined {
    return this.tier_;
  }

  /**
   * HLS only: how far behind the camera the frame on screen is, in seconds (the wall clock minus
   * its `EXT-X-PROGRAM-DATE-TIME`); undefined on the webrtc tier and before a dated frame plays.
   *
   * @example
   * setInterval(() => (label.textContent = `${viewer.latencySeconds()?.toFixed(1) ?? '–'} s`), 1000);
   */
  latencySeconds(): number | undefined {
    return this.tier_ === 'hls' ? this.hls?.latencySeconds() : undefined;
  }

  /**
   * Joins: `POST /join` (rejects with `STREAM_FULL`, `STREAM_NOT_LIVE`, ...), then the socket; a
   * seat sends `stream:join` (video follows with the broadcaster's offer: `stream`), an HLS viewer
   * plays the ladder in `video`.
   *
   * @example
   * await viewer.join();
   */
  async join(): Promise<void> {
    const { api, streamId, video } = this.options;
    this.end.reset();
    const ended = () => void this.end.playlistEnded();
    this.hls = new HlsWatch({ api, streamId, video, ended, error: this.fail });
    this.fresh = await api.join(streamId);
    this.place(this.fresh);
    globalThis.addEventListener?.('pagehide', this.pageHidden);
    try {
      await this.socket.connect();
      if (this.session?.mode === 'webrtc') await this.askForOffer();
    } catch (error) {
      this.stop();
      throw error;
    }
  }

  /**
   * Leaves: `POST /leave` (the broadcaster is told, or the HLS tier stops counting this viewer),
   * then closes the peer, the player and the socket.
   *
   * @example
   * await viewer.leave();
   */
  async leave(): Promise<void> {
    const viewerId = this.session?.viewerId;
    this.end.cancel();
    this.stop();
    if (viewerId) await this.options.api.leave(this.options.streamId, viewerId);
  }

  /** Takes up the session the service placed this viewer in. */
  private place(session: JoinResult): void {
    this.session = session;
    this.hls?.count(session);
    if (session.mode === 'hls') this.playHls(session.playback?.hls ?? '');
    else if (this.tier_ !== 'hls') this.setTier('webrtc'); // a seat that fell back keeps playing HLS
  }

  private playHls(url: string): void {
    this.peer.close();
    this.setTier('hls');
    this.hls?.play(url);
  }

  private setTier(tier: ViewerTier): void {
    if (tier === this.tier_) return;
    this.tier_ = tier;
    this.events.emit('tier', tier);
  }

  /** The first ticket comes from `join()`; an HLS session chats on; a dropped seat joins again. */
  private async ticket() {
    const { api, streamId } = this.options;
    if (this.fresh) {
      const { signaling } = this.fresh;
      this.fresh = undefined;
      return signaling;
    }
    if (this.session?.mode === 'hls') return api.chatTicket(streamId);
    const old = this.session?.viewerId;
    const next = await api.join(streamId);
    if (old) api.leave(streamId, old).catch(() => {});
    this.place(next);
    return next.signaling;
  }

  /** `stream:join`; then, when a ladder could take over, a bound on the broadcaster's offer. */
  private async askForOffer(): Promise<void> {
    await this.socket.request('stream:join', {});
    if (this.session?.playback && this.tier_ === 'webrtc') {
      this.peer.expectOffer(this.options.offerTimeoutMs ?? OFFER_TIMEOUT_MS);
    }
  }

  /**
   * The peer failed: placed again while holding the seat. Past the seats (`hls`) the viewer moves
   * to that tier and gives the seat back; with seats to spare it keeps its seat (counted there, its
   * socket closing it on a drop), gives the new one back, and plays HLS.
   */
  private async fallBack(): Promise<void> {
    const seat = this.session;
    if (this.end.over || this.tier_ !== 'webrtc' || seat?.mode !== 'webrtc' || !seat.playback) return;
    const { api, streamId } = this.options;
    this.playHls(seat.playback.hls);
    try {
      const next = await api.join(streamId);
      const spare = next.mode === 'hls' ? seat : next;
      if (next.mode === 'hls' && !this.end.over) this.place(next);
      await api.leave(streamId, spare.viewerId);
    } catch (error) {
      this.fail(error as LivestreamError);
      if (error instanceof ApiError && error.code === 'STREAM_ENDED') void this.end.signaled();
    }
  }

  /** Everything closed but the session; `socket` false keeps it (the service closes it on an end). */
  private stop(socket = true): void {
    globalThis.removeEventListener?.('pagehide', this.pageHidden);
    if (socket) this.socket.close();
    this.peer.close();
    this.hls?.close();
  }

  /** The tab is going away: a leave that outlives the page, so the count drops now, not in a window. */
  private readonly pageHidden = () => {
    const viewerId = this.session?.viewerId;
    if (viewerId && !this.end.over) {
      this.options.api.leave(this.options.streamId, viewerId, { keepalive: true }).catch(() => {});
    }
  };

  private readonly fail = (error: LivestreamError) => this.events.emit('error', error);
}
