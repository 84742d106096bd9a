/**
 * Who is signed in, kept in sessionStorage (per tab: two windows can be two users). Locally the
 * token comes from the stack's dev issuer (`POST /api/dev/token`); on AWS it would come from the
 * identity provider, and only this module would change.
 */
export interface SessionUser {
  readonly userId: string;
  readonly token: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

const KEY = 'dreamx.session';
/** Same rule as the dev issuer's. */
export const USER_NAME_PATTERN = '[A-Za-z0-9_.@\\-]{1,128}';
/** Long enough for a demo session; the issuer allows up to a day. */
const EXPIRES_IN_SECONDS = 8 * 3600;

type Listener = (user: SessionUser | undefined) => void;

export class Session {
  private readonly listeners = new Set<Listener>();

  /** The signed-in user, or undefined (an expired token counts as signed out). */
  get user(): SessionUser | undefined {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    try {
      const user = JSON.parse(raw) as SessionUser;
      if (typeof user.token !== 'string' || user.expiresAt <= Date.now() + 5_000) return undefined;
      return user;
    } catch {
      return undefined;
    }
  }

  /** The bearer token for the API ('' when signed out: public routes still answer). */
  token(): string {
    return this.user?.token ?? '';
  }

  /** Gets a dev token for `userId`; rejects with the issuer's message when the name is refused. */
  async signIn(userId: string): Promise<SessionUser> {
    let res: Response;
    try {
      res = await fetch('/api/dev/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ userId, expiresInSeconds: EXPIRES_IN_SECONDS }),
      });
    } catch {
      throw new Error('The local stack did not answer. Is `npm start` still running?');
    }
    const body = (await res.json().catch(() => undefined)) as
      | { token?: string; expiresIn?: number; error?: { message?: string } }
      | undefined;
    if (!res.ok || !body?.token) {
      if (res.status === 404) throw new Error('Dev sign-in exists only on the local stack (npm start).');
      throw new Error(body?.error?.message ?? `Sign-in failed (HTTP ${res.status})`);
    }
    const user = {
      userId,
      token: body.token,
      expiresAt: Date.now() + (body.expiresIn ?? EXPIRES_IN_SECONDS) * 1000,
    };
    sessionStorage.setItem(KEY, JSON.stringify(user));
    this.emit(user);
    return user;
  }

  signOut(): void {
    sessionStorage.removeItem(KEY);
    this.emit(undefined);
  }

  onChange(listener: Listener): void {
    this.listeners.add(listener);
  }

  private emit(user: SessionUser | undefined): void {
    for (const listener of this.listeners) listener(user);
  }
}
