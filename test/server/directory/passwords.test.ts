import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from '../../../src/server/directory/passwords.js';

describe('password hashing', () => {
  it('encodes scrypt with its parameters, a random salt and the hash', async () => {
    const encoded = await hashPassword('s3cret-pass');
    expect(encoded).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(encoded).not.toContain('s3cret-pass');
    expect(await hashPassword('s3cret-pass')).not.toBe(encoded);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const encoded = await hashPassword('s3cret-pass');
    expect(await verifyPassword('s3cret-pass', encoded)).toBe(true);
    expect(await verifyPassword('s3cret-pasS', encoded)).toBe(false);
    expect(await verifyPassword('', encoded)).toBe(false);
  });

  it('verifies with the parameters stored in the hash, so older hashes keep working and are marked for re-hashing', async () => {
    const old = await hashPassword('s3cret-pass', { N: 1024, r: 8, p: 1 });
    expect(old.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('s3cret-pass', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(await hashPassword('s3cret-pass'))).toBe(false);
  });

  it('answers false for an unknown user (no hash) after doing the same work against a dummy hash', async () => {
    const encoded = await hashPassword('s3cret-pass');
    const started = performance.now();
    await verifyPassword('s3cret-pass', encoded);
    const known = performance.now() - started;
    const unknownStarted = performance.now();
    expect(await verifyPassword('s3cret-pass', undefined)).toBe(false);
    // Same scrypt cost: the dummy path is not an early return (generous bound against a noisy machine).
    expect(performance.now() - unknownStarted).toBeGreaterThan(known / 4);
  });

  it.each([
    ['not a hash'],
    ['scrypt$3$8$1$c2FsdA==$aGFzaA=='],
    ['scrypt$1073741824$8$1$c2FsdA==$' + Buffer.alloc(32).toString('base64')],
    ['scrypt$1024$8$1$$' + Buffer.alloc(32).toString('base64')],
    ['bcrypt$10$abc'],
  ])('answers false, without throwing, for the unreadable stored hash %s', async (encoded) => {
    expect(await verifyPassword('anything', encoded)).toBe(false);
  });

  it('treats Unicode passwords in composed and decomposed form as the same password', async () => {
    const encoded = await hashPassword('caf\u00e9-p\u00e4ss');
    expect(await verifyPassword('cafe\u0301-pa\u0308ss', encoded)).toBe(true);
  });
});
