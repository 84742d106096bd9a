import { createHmac } from 'node:crypto';

/** An `RTCIceServer` as the browser's `RTCPeerConnection` takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export type TurnConfig =
  | { kind: 'none' }
  | { kind: 'static'; urls: string[]; username: string; password: string }
  /** The TURN REST scheme (coturn `use-auth-secret`): credentials minted per user, expiring. */
  | { kind: 'shared-secret'; urls: string[]; secret: string; ttlSeconds: number };

/** The spec's public STUN defaults. */
export const DEFAULT_STUN_SERVERS: readonly IceServer[] = [
  { urls: 'stun:stun.l.google.com:19302' },
  { urls: 'stun:stun1.l.google.com:19302' },
];

/**
 * ICE servers for one viewer or broadcaster. With a shared secret the TURN username is
 * `<expiry epoch seconds>:<userId>` and the credential base64(HMAC-SHA1(secret, username)),
 * so the TURN server can check it without talking to us, and a leaked one soon expires.
 *
 * @example iceServersFor('alice', { kind: 'shared-secret', urls: ['turn:t.example:3478'], secret: 's', ttlSeconds: 3600 }, Date.now())
 */
export function iceServersFor(userId: string, turn: TurnConfig, nowMs: number): IceServer[] {
  const servers = [...DEFAULT_STUN_SERVERS];
  if (turn.kind === 'static') {
    servers.push({ urls: turn.urls, username: turn.username, credential: turn.password });
  } else if (turn.kind === 'shared-secret') {
    const expiry = Math.floor(nowMs / 1000) + turn.ttlSeconds;
    const username = `${expiry}:${userId}`;
    const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
    servers.push({ urls: turn.urls, username, credential });
  }
  return servers;
}
