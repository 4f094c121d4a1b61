import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVault, keyIdOf, VaultError } from '../../../src/server/vault/vault.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

describe('token vault', () => {
  it('round-trips a token and never contains it in clear', () => {
    const vault = createVault([keyA]);
    const ciphertext = vault.encrypt('secret-access-token', 'cred_1', 'access_token');
    expect(ciphertext).not.toContain('secret-access-token');
    expect(vault.decrypt(ciphertext, 'cred_1', 'access_token')).toBe('secret-access-token');
  });

  it('names the key: the first 8 hex characters of SHA-256 of the key', () => {
    const vault = createVault([keyA]);
    expect(vault.currentKeyId).toMatch(/^[0-9a-f]{8}$/);
    expect(vault.keyIdOfCiphertext(vault.encrypt('x', 'c', 'access_token'))).toBe(keyIdOf(keyA));
  });

  it('rejects a ciphertext moved to another credential or another field (associated data)', () => {
    const vault = createVault([keyA]);
    const ciphertext = vault.encrypt('t', 'cred_1', 'access_token');
    expect(() => vault.decrypt(ciphertext, 'cred_2', 'access_token')).toThrow(VaultError);
    expect(() => vault.decrypt(ciphertext, 'cred_1', 'refresh_token')).toThrow(VaultError);
  });

  it('rejects a tampered ciphertext', () => {
    const vault = createVault([keyA]);
    const parts = vault.encrypt('token-value', 'c', 'access_token').split(':');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0]! ^= 1;
    parts[3] = body.toString('base64url');
    expect(() => vault.decrypt(parts.join(':'), 'c', 'access_token')).toThrow(VaultError);
  });

  it('decrypts with an old key and encrypts with the current one', () => {
    const old = createVault([keyA]).encrypt('t', 'c', 'refresh_token');
    const rotated = createVault([keyB, keyA]);
    expect(rotated.decrypt(old, 'c', 'refresh_token')).toBe('t');
    expect(rotated.keyIdOfCiphertext(rotated.encrypt('t', 'c', 'refresh_token'))).toBe(keyIdOf(keyB));
  });

  it('names NCS_ENCRYPTION_KEYS_OLD when the key of a ciphertext is not configured', () => {
    const old = createVault([keyA]).encrypt('t', 'c', 'refresh_token');
    expect(() => createVault([keyB]).decrypt(old, 'c', 'refresh_token')).toThrow(/NCS_ENCRYPTION_KEYS_OLD/);
  });
});
