import type { JoinResult, LivestreamApi } from './api.ts';
import { type ChatChannel, SocketChat } from './chat.ts';
import { Listenable } from './emitter.ts';
import { ApiError, type LivestreamError, toLivestreamError } from './errors.ts';
import type { IceCandidate, ServerEvents, SessionDescription } from './events.ts';
import { PeerLink, peerConnectionClass, wireDescription } from './peer.ts';
import { type ReconnectOptions, type Schedule, SignalingSocket, type SocketState } from './socket.ts';

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
  /** The stream is over; `message` is an admin's reason when `terminated`. */
  ended: { reason: ServerEvents['stream:ended']['reason']; message?: string };
  /** The broadcaster dropped; it has `graceSeconds` to come back before the stream ends. */
  'broadcaster:left': { graceSeconds: number };
  /** A failure with no caller to reject (the peer, the socket, the chat room). */
  error: LivestreamError;
  /** The signaling socket's state. */
  state: SocketState;
}

/**
 * A viewer: `POST /join`, the socket, `stream:join`, and an answer to every offer the
 * broadcaster sends (a new offer replaces the peer connection). A dropped socket is reconnected;
 * since the service closes the viewing session of a connection that drops, the viewer joins
 * again over REST (a new `viewerId`, the old session left) and sends `stream:join` again.
 *
 * @example
 * const viewer = new Viewer({ api, streamId });
 * viewer.on('stream', (stream) => (video.srcObject = stream));
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
  private link: PeerLink | undefined;
  private early: IceCandidate[] = [];
  private remote: MediaStream | undefined;
  private remoteOf: PeerLink | undefined;
  private state_: RTCPeerConnectionState | 'new' = 'new';

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
    this.socket.on('state', (state) => this.events.emit('state', state));
    this.socket.on('error', (error) => {
      this.fail(error);
      // The stream ended while this viewer was disconnected: say so, as stream:ended would have.
      if (error instanceof ApiError && error.code === 'STREAM_ENDED') void this.endedMeanwhile();
    });
    this.socket.on('open', ({ reconnected }) => {
      if (reconnected) this.socket.request('stream:join', {}).catch(this.fail);
    });
    this.socket.on('stream:offer:received', ({ offer }) => this.answer(offer).catch(this.failWebRtc));
    this.socket.on('stream:ice-candidate:received', ({ candidate }) => {
      if (this.link) this.link.addRemoteCandidate(candidate);
      else this.early.push(candidate);
    });
    this.socket.on('stream:broadcaster:left', (data) => this.events.emit('broadcaster:left', data));
    this.socket.on('stream:ended', ({ reason, message }) => {
      // Listeners first, so they can let go of the media before its peer connection closes.
      this.events.emit('ended', { reason, ...(message !== undefined && { message }) });
      this.closePeer();
    });
  }

  /** The broadcaster's media, once a peer connection brought it. */
  get remoteStream(): MediaStream | undefined {
    return this.remote;
  }

  /** The current peer connection's state; `new` before the first offer. */
  get connectionState(): RTCPeerConnectionState | 'new' {
    return this.state_;
  }

  /** This viewing session's id (a new one after a reconnect); undefined before `join()`. */
  get viewerId(): string | undefined {
    return this.session?.viewerId;
  }

  /** The signaling socket's state. */
  get state(): SocketState {
    return this.socket.state;
  }

  /**
   * Joins: `POST /join` (rejects with `STREAM_FULL`, `STREAM_NOT_LIVE`, ...), the socket,
   * `stream:join`. Video follows when the broadcaster's offer comes (`stream`).
   *
   * @example
   * await viewer.join();
   */
  async join(): Promise<void> {
    this.fresh = await this.options.api.join(this.options.streamId);
    this.session = this.fresh;
    try {
      await this.socket.connect();
      await this.socket.request('stream:join', {});
    } catch (error) {
      this.socket.close();
      throw error;
    }
  }

  /**
   * Leaves: `POST /leave` (the broadcaster is told), then closes the peer and the socket.
   *
   * @example
   * await viewer.leave();
   */
  async leave(): Promise<void> {
    const viewerId = this.session?.viewerId;
    this.socket.close();
    this.closePeer();
    if (viewerId) await this.options.api.leave(this.options.streamId, viewerId);
  }

  /** The first ticket comes from `join()`; a reconnect joins again (the dropped session is closed). */
  private async ticket() {
    if (this.fresh) {
      const { signaling } = this.fresh;
      this.fresh = undefined;
      return signaling;
    }
    const { api, streamId } = this.options;
    const old = this.session?.viewerId;
    this.session = await api.join(streamId);
    if (old) api.leave(streamId, old).catch(() => {});
    return this.session.signaling;
  }

  private async endedMeanwhile(): Promise<void> {
    const stream = await this.options.api.getStream(this.options.streamId).catch(() => undefined);
    this.events.emit('ended', { reason: stream?.endReason ?? 'ended' });
    this.closePeer();
  }

  private async answer(offer: SessionDescription): Promise<void> {
    const early = this.early.splice(0);
    this.closePeer();
    const link = new PeerLink(
      peerConnectionClass(this.options.RTCPeerConnection),
      this.options.iceServers ?? this.session?.iceServers ?? [],
      (candidate) => this.socket.emit('stream:ice-candidate', { candidate }),
      this.fail,
    );
    this.link = link;
    for (const candidate of early) link.addRemoteCandidate(candidate);
    link.pc.ontrack = (event) => this.track(link, event);
    link.pc.onconnectionstatechange = () => {
      if (this.link !== link) return;
      this.state_ = link.pc.connectionState;
      this.events.emit('connection', this.state_);
    };
    await link.setRemote(offer);
    const answer = await link.pc.createAnswer();
    await link.pc.setLocalDescription(answer);
    if (this.link === link) this.socket.emit('stream:answer', { answer: wireDescription(answer) });
  }

  private track(link: PeerLink, event: RTCTrackEvent): void {
    if (this.link !== link) return;
    let stream = event.streams[0];
    if (!stream) {
      const Ctor = this.options.MediaStream ?? globalThis.MediaStream;
      if (!Ctor) return;
      stream = this.remote && this.remoteOf === link ? this.remote : new Ctor();
      stream.addTrack(event.track);
    }
    if (stream === this.remote) return;
    this.remote = stream;
    this.remoteOf = link;
    this.events.emit('stream', stream);
  }

  private closePeer(): void {
    this.link?.close();
    this.link = undefined;
    this.early = [];
  }

  private readonly fail = (error: LivestreamError) => this.events.emit('error', error);
  private readonly failWebRtc = (error: unknown) => this.fail(toLivestreamError(error, 'WEBRTC'));
}
