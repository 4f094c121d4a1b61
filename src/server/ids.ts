// Random identifiers and secrets: NCS project ids, row ids, opaque tokens.
import { createHash, randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** `count` random base32 characters (5 bits each, from a CSPRNG). */
export function randomBase32(count: number): string {
  const bytes = randomBytes(count);
  let out = '';
  for (let i = 0; i < count; i++) out += BASE32[bytes[i]! & 31];
  return out;
}

/** NCS project ids: `prj_` and 20 base32 characters. */
export function newProjectId(): string {
  return `prj_${randomBase32(20)}`;
}

/** Row ids that sort by creation time first (audit entries, failures). */
export function newRowId(prefix: string, now: Date = new Date()): string {
  return `${prefix}_${now.getTime().toString(36).padStart(9, '0')}${randomBase32(10)}`;
}

/** A 256-bit secret, base64url. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
