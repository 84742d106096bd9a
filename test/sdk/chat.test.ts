import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient, type ChatMessage } from '../../web/sdk/index.ts';
import { recordingWebSocket, type SdkSession, sdkSession, until } from './support.ts';

/*
 * The SDK's chat room asks for batches (`join-livestream {batch: true}`): under a burst it gets
 * coalesced `chat:messages` frames, not one frame per message, and emits every message once, in
 * each sender's order.
 */

const SENDERS = 5;
const PER_SENDER = 10;
const BURST = SENDERS * PER_SENDER;

let s: SdkSession;
beforeAll(async () => {
  // A burst of 50: 10 from each sender, within a second or two. Read at the stack's cold start.
  process.env.CHAT_RATE_LIMIT = '1000';
  process.env.CHAT_ROOM_RATE_LIMIT = '1000';
  s = await sdkSession();
});
afterAll(async () => {
  await s?.close();
  delete process.env.CHAT_RATE_LIMIT;
  delete process.env.CHAT_ROOM_RATE_LIMIT;
});

describe('ChatClient under a burst', () => {
  it('joins asking for batches, gets fewer frames than messages, and emits each message once in each sender’s order', async () => {
    const { streamId, api } = await s.liveStream('sdk-burst-host');
    await api.start(streamId);
    const wire = recordingWebSocket();
    const chat = new ChatClient({ api: s.api('sdk-reader'), streamId, WebSocket: wire.WebSocket });
    const shown: ChatMessage[] = [];
    chat.on('message', (m) => shown.push(m));
    const joined = new Promise((resolve) => chat.on('joined', resolve));
    await chat.connect();
    await joined;
    expect(wire.sent.filter((f) => f.action === 'join-livestream').map((f) => f.data)).toEqual([
      { batch: true },
    ]);

    const bySender = await Promise.all(
      Array.from({ length: SENDERS }, async (_, sender) => {
        const poster = s.api(`sdk-burst-${sender}`);
        const mine: ChatMessage[] = [];
        for (let seq = 0; seq < PER_SENDER; seq++) {
          mine.push(await poster.postChat(streamId, `sender ${sender} message ${seq}`));
        }
        return mine;
      }),
    );
    await s.stack.streams.idle();
    await until(() => shown.length >= BURST, 'every message shown', 15_000);

    const chatFrames = wire.received.filter((f) => f.event === 'chat:message' || f.event === 'chat:messages');
    console.info(
      'SDK under a 50-message burst:',
      JSON.stringify({
        frames: chatFrames.length,
        coalesced: chatFrames.filter((f) => f.event === 'chat:messages').length,
        messages: shown.length,
      }),
    );
    expect(chatFrames.filter((f) => f.event === 'chat:messages').length).toBeGreaterThan(0);
    expect(chatFrames.length).toBeLessThan(BURST);
    expect(shown).toHaveLength(BURST);
    expect(new Set(shown.map((m) => m.id)).size).toBe(BURST);
    for (const posted of bySender) {
      const ids = new Set(posted.map((m) => m.id));
      expect(shown.filter((m) => ids.has(m.id))).toEqual(posted);
    }
    chat.close();
  });
});
