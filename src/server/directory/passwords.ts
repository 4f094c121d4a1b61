// Password hashing: scrypt with a per-user random salt, encoded with its parameters, verified in constant time.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * 32 MiB and about 0.1–0.2 s per hash on a small server: one of OWASP's scrypt settings family
 * (N=2^15, r=8) kept at p=1 so that concurrent sign-ins do not exhaust memory. Stored hashes carry
 * their own parameters, so raising these later only affects new and re-hashed passwords.
 */
export const CURRENT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Upper bounds accepted from a stored hash, so a corrupted row cannot make verification allocate gigabytes. */
const MAX_N = 2 ** 20;
const MAX_RP = 64;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 128 * params.r * params.p + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$N$r$p$<salt base64>$<hash base64>` */
export async function hashPassword(password: string, params: ScryptParams = CURRENT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parseHash(encoded: string): ParsedHash | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const validN = Number.isInteger(N) && N > 1 && N <= MAX_N && (N & (N - 1)) === 0;
  if (!validN || !Number.isInteger(r) || !Number.isInteger(p) || r < 1 || p < 1 || r > MAX_RP || p > MAX_RP) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  if (salt.length === 0 || key.length !== KEY_BYTES) return undefined;
  return { params: { N, r, p }, salt, key };
}

let dummyHash: Promise<string> | undefined;

/** A hash of a random password, made once: unknown users are verified against it so timing reveals nothing. */
function dummy(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(24).toString('base64'));
  return dummyHash;
}

/**
 * True when `password` matches `encoded`. With `encoded` undefined (unknown user) or unreadable, the same
 * work is done against a dummy hash and the answer is false.
 */
export async function verifyPassword(password: string, encoded: string | undefined): Promise<boolean> {
  const parsed = encoded === undefined ? undefined : parseHash(encoded);
  const target = parsed ?? parseHash(await dummy())!;
  const key = await derive(password, target.salt, target.params);
  const matches = timingSafeEqual(key, target.key);
  return matches && parsed !== undefined;
}

/** True when a stored hash was made with other parameters than today's, so a sign-in should re-hash it. */
export function needsRehash(encoded: string): boolean {
  const parsed = parseHash(encoded);
  if (!parsed) return true;
  const { N, r, p } = parsed.params;
  return N !== CURRENT_SCRYPT_PARAMS.N || r !== CURRENT_SCRYPT_PARAMS.r || p !== CURRENT_SCRYPT_PARAMS.p;
}

/** Passwords set through `ncs-server users add|passwd`; the demo seeds its `demo` passwords through createUser directly. */
export const MIN_ADMIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;
