import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coturn, coturnInstalled, startCoturn, TURNSERVER } from './coturn.ts';
import type { IceServer } from './peers.ts';
import { type E2eSession, e2eSession } from './session.ts';

const TTL_SECONDS = 600;
const installed = coturnInstalled();
// CI installs coturn (.ci/run), so there a missing turnserver fails the run instead of skipping.
const skip = !installed && !process.env.CI;
if (skip)
  console.warn(`Skipping the TURN end-to-end test: ${TURNSERVER} is missing (apt-get install coturn)`);

let turn: Coturn | undefined;
let s: E2eSession | undefined;

describe.skipIf(skip)('media relayed through coturn with the TURN credentials /join hands out', () => {
  beforeAll(async () => {
    if (!installed) throw new Error(`${TURNSERVER} is missing; CI must install coturn (see .ci/run)`);
    turn = await startCoturn();
    // Handlers read TURN_* at cold start, so they must be set before the stack imports any.
    Object.assign(process.env, {
      TURN_SERVER: turn.url,
      TURN_SECRET: turn.secret,
      TURN_TTL_SECONDS: String(TTL_SECONDS),
    });
    s = await e2eSession();
  });
  afterAll(async () => {
    await s?.close();
    await turn?.stop();
    for (const name of ['TURN_SERVER', 'TURN_SECRET', 'TURN_TTL_SECONDS']) delete process.env[name];
  });

  it('reaches a viewer that may only use relay candidates', async () => {
    const session = s as E2eSession;
    const coturn = turn as Coturn;
    const live = await session.liveStream('alice');
    const broadcaster = await session.connectBroadcaster(live.signaling);
    await broadcaster.register();

    const joined = await session.join(live.streamId, 'bob');
    const nowSeconds = Date.now() / 1000;
    const entry = joined.iceServers.find((server: IceServer) => [server.urls].flat().includes(coturn.url));
    expect(entry).toEqual({
      urls: [coturn.url],
      username: expect.any(String),
      credential: expect.any(String),
    });
    const { username = '', credential } = entry ?? {};
    const [expiry, userId] = username.split(':');
    expect(userId).toBe('bob');
    expect(Number(expiry)).toBeGreaterThan(nowSeconds + TTL_SECONDS - 30);
    expect(Number(expiry)).toBeLessThanOrEqual(nowSeconds + TTL_SECONDS + 1);
    expect(credential).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    expect(credential).toBe(createHmac('sha1', coturn.secret).update(username).digest('base64'));

    const viewer = await session.connectViewer(joined, { iceTransportPolicy: 'relay' });
    await viewer.join();
    await viewer.waitForFrames(10, 15_000).catch((err: Error) => {
      throw new Error(`${err.message}\ncoturn:\n${coturn.log()}`);
    });

    expect(viewer.frames).toBeGreaterThanOrEqual(10);
    expect(await viewer.selectedCandidateType()).toBe('relay');
    expect(session.problems()).toEqual([]);
  });
});
