import type { LivestreamApi } from './api.ts';
import { type ChatChannel, SocketChat } from './chat.ts';
import { Listenable } from './emitter.ts';
import { ApiError, type LivestreamError, toLivestreamError } from './errors.ts';
import type { ServerEvents } from './events.ts';
import { type LiveOptions, LiveTier } from './live/live-tier.ts';
import type { UploadStats } from './live/queue.ts';
import { DEFAULT_ICE_SERVERS, PeerLink, peerConnectionClass, wireDescription } from './peer.ts';
import { DEFAULT_PART_BYTES, type RecordingProgress, RecordingUpload } from './recorder.ts';
import { type ReconnectOptions, type Schedule, SignalingSocket, type SocketState } from './socket.ts';
import type { SignalingTicket } from './types.ts';

/**
 * The spec's recommended broadcaster constraints: 720p at 30 fps, echo-cancelled audio.
 *
 * @example
 * const stream = await navigator.mediaDevices.getUserMedia(RECOMMENDED_MEDIA);
 */
export const RECOMMENDED_MEDIA: MediaStreamConstraints = {
  video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
  audio: { echoCancellation: true, noiseSuppression: true },
};

/**
 * Options of a {@link Broadcaster}.
 *
 * @example
 * const options: BroadcasterOptions = { api, streamId, record: true, recordPartBytes: 16 * 2 ** 20 };
 */
export interface BroadcasterOptions {
  api: LivestreamApi;
  streamId: string;
  /** getUserMedia constraints; {@link RECOMMENDED_MEDIA} by default. */
  media?: MediaStreamConstraints;
  /** Broadcast this stream instead of asking getUserMedia (screen share, canvas, tests). */
  stream?: MediaStream;
  /** Record and upload while live; the stream's `recordingEnabled` by default. */
  record?: boolean;
  /** Upload a part each time this much is recorded; 8 MiB by default, at least 5 MiB. */
  recordPartBytes?: number;
  /** MediaRecorder's timeslice; 1,000 ms by default. */
  recordTimesliceMs?: number;
  /** MediaRecorder's mimeType; the first supported of VP9, VP8, WebM, MP4 by default. */
  recordMimeType?: string;
  /**
   * The live ladder (HLS for viewers past the peer-to-peer seats, docs/live.md): on by default
   * where the browser has WebCodecs; `{enabled: false}` turns it off.
   */
  live?: LiveOptions;
  /** ICE servers of the viewers' peer connections; {@link DEFAULT_ICE_SERVERS} by default. */
  iceServers?: RTCIceServer[];
  RTCPeerConnection?: typeof RTCPeerConnection;
  WebSocket?: typeof WebSocket;
  MediaRecorder?: typeof MediaRecorder;
  /** The socket's retry policy after a drop (see {@link SignalingSocket}). */
  reconnect?: ReconnectOptions | false;
  /** The socket's timer for reconnect delays. */
  schedule?: Schedule;
}

/**
 * What a {@link Broadcaster} emits.
 *
 * @example
 * const onViewers = (count: BroadcasterEvents['viewers']) => (badge.textContent = String(count));
 */
export interface BroadcasterEvents {
  /** A viewer got its peer connection (not again when it is re-offered after a resume). */
  'viewer:joined': string;
  /** A viewer left or dropped; its peer connection is closed. */
  'viewer:left': string;
  /** The number of viewers, after every change. */
  viewers: number;
  recording: RecordingProgress;
  /** A failure with no caller to reject (a peer, the recording, the live ladder, the socket). */
  error: LivestreamError;
  /** The signaling socket's state. */
  state: SocketState;
  /** The stream ended (by `stop()`, elsewhere, or by an admin). */
  ended: { reason: ServerEvents['stream:ended']['reason']; message?: string };
}

/**
 * The broadcaster's side: camera, `POST /start`, one peer connection per viewer, and the
 * recording uploaded while live. After a signaling drop it reconnects and resumes (`stream:offer`);
 * the service then announces every waiting viewer again and each gets a fresh offer.
 *
 * @example
 * const broadcaster = new Broadcaster({ api, streamId });
 * broadcaster.on('viewers', (n) => (count.textContent = String(n)));
 * await broadcaster.start();
 * preview.srcObject = broadcaster.mediaStream ?? null;
 * // ...
 * await broadcaster.stop();
 */
export class Broadcaster extends Listenable<BroadcasterEvents> {
  /** The stream's chat room, over the signaling socket. */
  readonly chat: ChatChannel;
  private readonly socket: SignalingSocket;
  private readonly peers = new Map<string, PeerLink>();
  private readonly viewerIds = new Set<string>();
  private readonly live: LiveTier;
  private media: MediaStream | undefined;
  private recording: RecordingUpload | undefined;
  private firstTicket: SignalingTicket | undefined;
  private stopped = false;

  constructor(private readonly options: BroadcasterOptions) {
    super();
    const { api, streamId } = options;
    this.socket = new SignalingSocket({
      ticket: async () => {
        const ticket = this.firstTicket ?? (await api.ticket(streamId));
        this.firstTicket = undefined;
        return ticket;
      },
      WebSocket: options.WebSocket,
      reconnect: options.reconnect,
      schedule: options.schedule,
    });
    this.chat = new SocketChat(this.socket, api, streamId, this.fail);
    this.live = new LiveTier({
      options: options.live,
      credentials: () => api.liveCredential(streamId),
      report: (data) => this.socket.emit('stream:uplink', data),
      peers: () => [...this.peers.values()].map((link) => link.pc),
      onError: this.fail,
    });
    this.socket.on('state', (state) => this.events.emit('state', state));
    this.socket.on('error', this.fail);
    this.socket.on('open', ({ reconnected }) => {
      if (reconnected) this.register().then(() => this.live.report(), this.fail);
    });
    this.socket.on('stream:viewer:joined', ({ viewerId }) => this.offerTo(viewerId).catch(this.fail));
    this.socket.on('stream:answer:received', ({ viewerId, answer }) => {
      this.peers.get(viewerId)?.setRemote(answer).catch(this.failWebRtc);
    });
    this.socket.on('stream:ice-candidate:received', ({ viewerId, candidate }) => {
      if (viewerId) this.peers.get(viewerId)?.addRemoteCandidate(candidate);
    });
    this.socket.on('stream:viewer:left', ({ viewerId }) => this.drop(viewerId));
    this.socket.on('stream:ended', ({ reason, message }) => {
      this.events.emit('ended', { reason, ...(message !== undefined && { message }) });
      void this.shutdown();
    });
  }

  /** What is being broadcast, once `start()` has it. */
  get mediaStream(): MediaStream | undefined {
    return this.media;
  }

  /** Viewers with a peer connection now. */
  get viewerCount(): number {
    return this.viewerIds.size;
  }

  /** Their viewer ids. */
  get viewers(): ReadonlySet<string> {
    return this.viewerIds;
  }

  /** The signaling socket's state. */
  get state(): SocketState {
    return this.socket.state;
  }

  /**
   * The live ladder's uploads so far, per rendition (`720p`...): bytes, segments, the last
   * segment's latency; empty while no ladder runs.
   *
   * @example
   * const { bytes, segments } = broadcaster.liveStats()['720p'] ?? { bytes: 0, segments: 0 };
   */
  liveStats(): Record<string, UploadStats> {
    return this.live.stats();
  }

  /** What the live ladder sends, in kbit/s; 0 while none runs. */
  get liveKbps(): number {
    return this.live.ladderKbps;
  }

  /**
   * Goes live: media (getUserMedia unless `stream` was given), `POST /start` (or, when the stream
   * is already live, a fresh ticket: a reloaded page resumes), the socket, `stream:offer`, the
   * chat room, the live ladder (a new run, continuing the stream's playlists), then the recording
   * when enabled. Viewers are offered as the service announces them. A ladder or a recording that
   * cannot start is reported on `error`; the broadcast goes on.
   *
   * @example
   * await broadcaster.start();
   */
  async start(): Promise<void> {
    const { api, streamId } = this.options;
    this.stopped = false;
    this.media = this.options.stream ?? (await this.camera());
    try {
      const record = this.options.record ?? (await api.getStream(streamId)).recordingEnabled;
      this.firstTicket = await this.startTicket();
      await this.socket.connect();
      await this.register();
      await this.live.start(this.media);
      if (record) await this.startRecording();
    } catch (error) {
      this.socket.close();
      await this.live.stop(false);
      throw error;
    }
  }

  /**
   * Ends the broadcast: stops the recording (last part, complete) and the live ladder (its last
   * segments, EXT-X-ENDLIST), `POST /end`, closes every peer, stops the tracks and closes the
   * socket. Resolves once all that is done.
   *
   * @example
   * await broadcaster.stop();
   */
  async stop(): Promise<void> {
    await Promise.all([this.recording?.stop(), this.live.stop(true)]);
    let failure: unknown;
    if (!this.stopped) {
      try {
        await this.options.api.end(this.options.streamId);
      } catch (error) {
        if (
          !(error instanceof ApiError && (error.code === 'STREAM_ENDED' || error.code === 'STREAM_NOT_LIVE'))
        ) {
          failure = error;
        }
      }
    }
    await this.shutdown();
    for (const track of this.media?.getTracks() ?? []) track.stop();
    this.socket.close();
    if (failure) throw failure;
  }

  private async camera(): Promise<MediaStream> {
    try {
      return await navigator.mediaDevices.getUserMedia(this.options.media ?? RECOMMENDED_MEDIA);
    } catch (error) {
      throw toLivestreamError(error, 'MEDIA');
    }
  }

  private async startTicket(): Promise<SignalingTicket> {
    const { api, streamId } = this.options;
    try {
      return (await api.start(streamId)).signaling;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'STREAM_ALREADY_LIVE') return api.ticket(streamId);
      throw error;
    }
  }

  /** `stream:offer`: registers, or after a drop resumes, this connection as the broadcaster. */
  private async register(): Promise<void> {
    await this.socket.request('stream:offer', {});
  }

  private async startRecording(): Promise<void> {
    const Recorder = this.options.MediaRecorder ?? globalThis.MediaRecorder;
    if (!this.media || !Recorder) {
      this.fail(toLivestreamError(new Error('No MediaRecorder in this environment'), 'RECORDER'));
      return;
    }
    const recording = new RecordingUpload({
      api: this.options.api,
      streamId: this.options.streamId,
      stream: this.media,
      MediaRecorder: Recorder,
      partBytes: this.options.recordPartBytes ?? DEFAULT_PART_BYTES,
      timesliceMs: this.options.recordTimesliceMs ?? 1000,
      mimeType: this.options.recordMimeType,
      onProgress: (progress) => this.events.emit('recording', progress),
      onError: this.fail,
    });
    try {
      await recording.start();
      this.recording = recording;
    } catch (error) {
      this.fail(toLivestreamError(error, 'RECORDER'));
    }
  }

  /** A fresh peer connection for `viewerId` (replacing any it had), with an offer. */
  private async offerTo(viewerId: string): Promise<void> {
    const media = this.media;
    if (!media || this.stopped) return;
    this.peers.get(viewerId)?.close();
    const link = new PeerLink(
      peerConnectionClass(this.options.RTCPeerConnection),
      this.options.iceServers ?? [...DEFAULT_ICE_SERVERS],
      (candidate) => this.socket.emit('stream:ice-candidate', { viewerId, candidate }),
      this.fail,
    );
    this.peers.set(viewerId, link);
    const isNew = !this.viewerIds.has(viewerId);
    this.viewerIds.add(viewerId);
    if (isNew) {
      this.events.emit('viewer:joined', viewerId);
      this.events.emit('viewers', this.viewerIds.size);
    }
    try {
      for (const track of media.getTracks()) link.pc.addTrack(track, media);
      const offer = await link.pc.createOffer();
      await link.pc.setLocalDescription(offer);
      if (this.peers.get(viewerId) !== link) return;
      this.socket.emit('stream:offer:viewer', { viewerId, offer: wireDescription(offer) });
    } catch (error) {
      if (!link.closed) this.failWebRtc(error);
    }
  }

  private drop(viewerId: string): void {
    this.peers.get(viewerId)?.close();
    this.peers.delete(viewerId);
    if (this.viewerIds.delete(viewerId)) {
      this.events.emit('viewer:left', viewerId);
      this.events.emit('viewers', this.viewerIds.size);
    }
  }

  /** Closes every peer, the recording and the live ladder; idempotent. */
  private async shutdown(): Promise<void> {
    this.stopped = true;
    for (const viewerId of [...this.peers.keys()]) this.drop(viewerId);
    await Promise.all([this.recording?.stop(), this.live.stop(true)]);
  }

  private readonly fail = (error: LivestreamError) => this.events.emit('error', error);
  private readonly failWebRtc = (error: unknown) => this.fail(toLivestreamError(error, 'WEBRTC'));
}
