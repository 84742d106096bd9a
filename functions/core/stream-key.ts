import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Stream keys are 256-bit random secrets shown once; only their SHA-256 is stored. A fast hash
 * is right here (unlike passwords): the input has full entropy, so brute force is hopeless.
 */
export function hashStreamKey(streamKey: string): string {
  return createHash('sha256').update(streamKey, 'utf8').digest('hex');
}

/** Compares a presented key with the stored hash in constant time. */
export function streamKeyMatches(presented: string, storedHash: string | undefined): boolean {
  if (storedHash === undefined) return false;
  const a = Buffer.from(hashStreamKey(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
