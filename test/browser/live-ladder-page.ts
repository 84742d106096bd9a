/**
 * The page of the live ladder's browser test (live-ladder.test.ts), bundled by esbuild: the SDK
 * broadcasting from the fake camera, driven from the test through `window.liveTest`.
 */
import { Broadcaster, LivestreamApi } from '../../web/sdk/index.ts';

const errors: string[] = [];
let broadcaster: Broadcaster | undefined;

const liveTest = {
  errors,
  /** Creates a stream as `token`'s user (none given: goes live on `streamId`, a resume) and broadcasts it. */
  async start(token: string, streamId?: string): Promise<string> {
    const api = new LivestreamApi({ baseUrl: location.origin, token });
    const id =
      streamId ?? (await api.createStream({ title: 'Live ladder', recordingEnabled: false })).streamId;
    broadcaster = new Broadcaster({ api, streamId: id, record: false });
    broadcaster.on('error', (error) => errors.push(`${error.code}: ${error.message}`));
    await broadcaster.start();
    return id;
  },
  stats: () => broadcaster?.liveStats() ?? {},
  kbps: () => broadcaster?.liveKbps ?? 0,
  stop: () => broadcaster?.stop(),
};

(window as unknown as { liveTest: typeof liveTest }).liveTest = liveTest;
