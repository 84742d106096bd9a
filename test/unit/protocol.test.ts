import { describe, expect, it } from 'vitest';
import { webSocketActions } from '../../functions/manifest.ts';
import { signalingActions } from '../../functions/socket/actions.ts';

describe("the manifest's WebSocket actions", () => {
  it('are exactly the actions $default routes, each with the roles it lets send it', () => {
    const listed = webSocketActions.map(({ name, roles }) => ({ name, roles: [...roles] }));
    const routed = Object.entries(signalingActions).map(([name, def]) => ({ name, roles: [...def.roles] }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(listed.sort(byName)).toEqual(routed.sort(byName));
  });
});
