import type { ClientFrame, ServerFrame } from './frames.ts';

export type Action = (frame: ClientFrame, connectionId: string) => Promise<ServerFrame>;

/**
 * The actions `$default` understands, by name (a Map, so `constructor` or `__proto__` are
 * unknown actions rather than inherited properties). Signaling (`stream:*`) and chat
 * (`join-livestream`, `leave-livestream`) register here; until then every action is unknown.
 */
export const actions: ReadonlyMap<string, Action> = new Map();
