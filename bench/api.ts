import type { LocalStack } from '../local/stack.ts';

/** POST to the REST API as `token`; throws on anything but 2xx (a bench must not count failures). */
export async function post(stack: LocalStack, path: string, token: string, body: unknown = {}) {
  const res = await fetch(`${stack.url}/api/livestream${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
