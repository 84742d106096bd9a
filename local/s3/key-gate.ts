import type { IncomingMessage, ServerResponse } from 'node:http';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

interface KeyState {
  readers: number;
  writer: boolean;
  waiting: Array<{ write: boolean; enter: () => void }>;
}

/**
 * S3 replaces an object atomically: a GET sees the old version or the new one, never a mix.
 * s3rver writes an object in place (its file truncated, then filled, then its metadata), so a read
 * racing a write can get a cut playlist or a size that does not match the bytes. This gate makes
 * requests for one object take turns as S3 would appear to: writes (PUT, POST, DELETE) one at a
 * time and alone, reads (GET, HEAD) together, each until its response is sent. Requests queue in
 * arrival order, so a steady stream of reads never starves a write.
 */
export function gatePerKey(listener: Listener): Listener {
  const keys = new Map<string, KeyState>();

  const admit = (state: KeyState) => {
    while (state.waiting.length > 0) {
      const next = state.waiting[0] as { write: boolean; enter: () => void };
      if (next.write ? state.writer || state.readers > 0 : state.writer) return;
      state.waiting.shift();
      if (next.write) state.writer = true;
      else state.readers++;
      next.enter();
    }
  };

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    // Bucket-level requests (listing, the bucket itself) need no turn.
    if (path.split('/').filter(Boolean).length < 2) return listener(req, res);
    const write = !['GET', 'HEAD'].includes(req.method ?? 'GET');
    const state = keys.get(path) ?? { readers: 0, writer: false, waiting: [] };
    keys.set(path, state);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (write) state.writer = false;
      else state.readers--;
      admit(state);
      if (!state.writer && state.readers === 0 && state.waiting.length === 0) keys.delete(path);
    };
    state.waiting.push({
      write,
      enter: () => {
        res.once('finish', release);
        res.once('close', release);
        listener(req, res);
      },
    });
    admit(state);
  };
}
