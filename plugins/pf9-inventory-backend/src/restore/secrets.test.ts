import { UserDataCipher, userDataSummary } from './secrets';

describe('user_data at rest', () => {
  const key = Buffer.alloc(32, 3).toString('base64');

  it('round-trips through AES-256-GCM without the plain text in the sealed form', () => {
    const cipher = new UserDataCipher(key);
    const userData = Buffer.from('#!/bin/sh\necho secret\n').toString('base64');
    const sealed = cipher.encrypt(userData);
    expect(sealed).not.toContain(userData);
    expect(sealed).not.toBe(cipher.encrypt(userData));
    expect(cipher.decrypt(sealed)).toBe(userData);
  });

  it('refuses another key and a tampered text', () => {
    const sealed = new UserDataCipher(key).encrypt('aGVsbG8=');
    expect(() => new UserDataCipher('cd'.repeat(32)).decrypt(sealed)).toThrow();
    const parts = sealed.split(':');
    parts[3] = Buffer.from('other').toString('base64');
    expect(() => new UserDataCipher(key).decrypt(parts.join(':'))).toThrow();
  });

  it('rejects a key that is not 32 bytes', () => {
    expect(() => new UserDataCipher('c2hvcnQ=')).toThrow(
      'pf9.restore.userDataKey',
    );
  });

  it('shows only presence and decoded size', () => {
    expect(userDataSummary(null)).toEqual({ present: false, sizeBytes: 0 });
    expect(userDataSummary(Buffer.from('12345').toString('base64'))).toEqual({
      present: true,
      sizeBytes: 5,
    });
  });
});
