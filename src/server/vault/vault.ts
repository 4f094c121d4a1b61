// The token vault: AES-256-GCM with a key id and associated data (credential id + field), old keys decrypt.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export type VaultField = 'access_token' | 'refresh_token';

export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultError';
  }
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export interface Vault {
  readonly currentKeyId: string;
  encrypt(plaintext: string, credentialId: string, field: VaultField): string;
  decrypt(ciphertext: string, credentialId: string, field: VaultField): string;
  /** The key id a ciphertext was written with (for `vault rekey`). */
  keyIdOfCiphertext(ciphertext: string): string;
}

/** `keys[0]` encrypts; every key decrypts. */
export function createVault(keys: readonly Buffer[]): Vault {
  if (keys.length === 0) throw new VaultError('The vault needs at least one encryption key.');
  for (const key of keys) if (key.length !== 32) throw new VaultError('Encryption keys are 32 bytes.');
  const byId = new Map(keys.map((key) => [keyIdOf(key), key]));
  const current = keys[0]!;
  const currentKeyId = keyIdOf(current);
  const associatedData = (credentialId: string, field: VaultField) => Buffer.from(`${credentialId}\u0000${field}`, 'utf8');

  return {
    currentKeyId,
    encrypt(plaintext, credentialId, field) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(associatedData(credentialId, field));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ['v1', currentKeyId, iv.toString('base64url'), body.toString('base64url'), tag.toString('base64url')].join(':');
    },
    decrypt(ciphertext, credentialId, field) {
      const parts = ciphertext.split(':');
      if (parts.length !== 5 || parts[0] !== 'v1') throw new VaultError('Unknown ciphertext format.');
      const [, keyId, iv, body, tag] = parts as [string, string, string, string, string];
      const key = byId.get(keyId);
      if (!key) {
        throw new VaultError(`No key with id ${keyId} is configured: add it to NCS_ENCRYPTION_KEYS_OLD, then run \`ncs-server vault rekey\`.`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(associatedData(credentialId, field));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new VaultError('A stored token failed authentication: it was altered or belongs to another credential.');
      }
    },
    keyIdOfCiphertext(ciphertext) {
      return ciphertext.split(':')[1] ?? '';
    },
  };
}
