/**
 * Reading a stream's live ladder from the CDN as a player does: the playlists parsed, and a
 * sampler that checks, every 250 ms, that every segment a playlist lists is there.
 */

/** A master's variants: its attributes and the media playlist it points at. */
export function variants(master: string): { attributes: Record<string, string>; uri: string }[] {
  const lines = master.trim().split('\n');
  return lines.flatMap((line, i) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return [];
    const attributes = Object.fromEntries(
      [...line.matchAll(/([A-Z-]+)=("[^"]*"|[^,]*)/g)].map(([, name = '', value = '']) => [
        name,
        value.replace(/"/g, ''),
      ]),
    );
    return [{ attributes, uri: lines[i + 1] ?? '' }];
  });
}

/** A media playlist's segment URIs, each with the init segment (`EXT-X-MAP`) in force. */
export function segments(playlist: string): { uri: string; map: string }[] {
  let map = '';
  return playlist
    .trim()
    .split('\n')
    .flatMap((line) => {
      if (line.startsWith('#EXT-X-MAP:')) map = /URI="([^"]+)"/.exec(line)?.[1] ?? '';
      return line.startsWith('#') || line === '' ? [] : [{ uri: line, map }];
    });
}

/** What the sampler saw: playlists read, listed objects checked, and every check that failed. */
export interface SampleReport {
  samples: number;
  checks: number;
  failures: string[];
}

/**
 * Every `everyMs`, reads the master at `base/index.m3u8` and each rendition's `index.m3u8`, then
 * HEADs every segment (and init segment) each lists, as a player that just read the playlist
 * would GET it. A listed object that does not answer 200 is a failure: the ladder must upload a
 * segment before any playlist lists it. `stop()` resolves with the report once the sample in
 * flight is done. A master not written yet is no failure (the ladder has not begun).
 */
export function sampleLiveCdn(base: string, everyMs = 250): { stop(): Promise<SampleReport> } {
  const report: SampleReport = { samples: 0, checks: 0, failures: [] };
  let running = true;

  const head = async (url: string): Promise<void> => {
    report.checks++;
    const res = await fetch(url, { method: 'HEAD' }).catch((e: Error) => ({ status: e.message }));
    if (res.status !== 200) report.failures.push(`${res.status} ${url}`);
  };

  async function sample(): Promise<void> {
    const master = await fetch(`${base}/index.m3u8`);
    if (master.status === 404) return;
    report.samples++;
    await Promise.all(
      variants(await master.text()).map(async ({ uri }) => {
        const playlistUrl = new URL(uri, `${base}/`);
        const res = await fetch(playlistUrl);
        if (res.status !== 200) return void report.failures.push(`${res.status} ${playlistUrl}`);
        const listed = segments(await res.text());
        const objects = new Set(listed.flatMap(({ uri, map }) => [uri, map]).filter(Boolean));
        await Promise.all([...objects].map((object) => head(new URL(object, playlistUrl).toString())));
      }),
    );
  }

  const loop = (async () => {
    while (running) {
      const started = Date.now();
      await sample().catch((error: Error) => report.failures.push(`sample: ${error.message}`));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - (Date.now() - started))));
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
      return report;
    },
  };
}
