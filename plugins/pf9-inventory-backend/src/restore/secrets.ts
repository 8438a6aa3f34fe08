/**
 * user_data at rest (RST-9): only AES-256-GCM with the configured key; the API shows only its presence
 * and size. Stored as `v1:<iv>:<tag>:<ciphertext>` (base64), so a later key rotation can add a version.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { parseUserDataKey } from '../config';

const VERSION = 'v1';

export interface UserDataSummary {
  present: boolean;
  sizeBytes: number;
}

export class UserDataCipher {
  private readonly key: Buffer;

  constructor(configuredKey: string) {
    const key = parseUserDataKey(configuredKey);
    if (!key)
      throw new Error(
        'pf9.restore.userDataKey must be 32 bytes as base64 or 64 hex digits',
      );
    this.key = key;
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), body]
      .map(part => (typeof part === 'string' ? part : part.toString('base64')))
      .join(':');
  }

  /** Throws when the text was not sealed with this key (GCM authenticates it). */
  decrypt(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || body === undefined)
      throw new Error('user_data is not in the v1 sealed format');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.key,
      Buffer.from(iv, 'base64'),
    );
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([
      decipher.update(Buffer.from(body, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  }
}

/** What the API may show of user_data (Nova returns it base64-encoded; its size is the decoded one). */
export function userDataSummary(
  userData: string | null | undefined,
): UserDataSummary {
  if (!userData) return { present: false, sizeBytes: 0 };
  return {
    present: true,
    sizeBytes: Buffer.from(userData, 'base64').length,
  };
}
