import { Masker, partialMask, pseudonym } from './masking';
import { fieldMask } from './render';

describe('masking (EXP-8)', () => {
  it('keeps the first and last 2 characters around ******** and masks short values whole', () => {
    expect(partialMask('abcdef')).toBe('ab********ef');
    expect(partialMask('abcde')).toBe('********');
    expect(partialMask('')).toBe('********');
  });

  it('pseudonymises with <prefix>- and 12 hex of HMAC-SHA256(salt, value), consistent within one salt', () => {
    const salt = Buffer.from('salt');
    const token = pseudonym(salt, 'srv', 'server-1');
    expect(token).toMatch(/^srv-[0-9a-f]{12}$/);
    expect(pseudonym(salt, 'srv', 'server-1')).toBe(token);
    expect(pseudonym(Buffer.from('other'), 'srv', 'server-1')).not.toBe(token);
  });

  it('masks ids and infrastructure always, names and IPs only when asked, and omits Metadata/Fault', () => {
    const plain = new Masker({ mode: 'pseudonym', salt: Buffer.from('s') });
    expect(plain.apply({ id: 'volume' }, 'v-123456')).toMatch(/^vol-/);
    expect(plain.apply('infra', 'compute-01')).toMatch(/^host-/);
    expect(plain.apply('name', 'web-01')).toBe('web-01');
    expect(plain.apply('ip', '10.0.0.5')).toBe('10.0.0.5');
    expect(plain.keeps('omit')).toBe(false);
    expect(plain.apply({ id: 'server' }, ['a-1', 'b-2'])).toEqual([
      plain.apply({ id: 'server' }, 'a-1'),
      plain.apply({ id: 'server' }, 'b-2'),
    ]);
    const all = new Masker({ mode: 'partial', maskNames: true, maskIps: true });
    expect(all.apply('name', 'web-server')).toBe('we********er');
    expect(all.apply('ip', '10.0.0.5')).toBe('10********.5');
    expect(all.apply({ id: 'server' }, null)).toBeNull();
    const none = new Masker({ mode: 'none' });
    expect(none.apply({ id: 'server' }, 'abcdef')).toBe('abcdef');
    expect(none.keeps('omit')).toBe(true);
  });

  it('masks changed fields on the Delta sheet by what they hold', () => {
    expect(fieldMask('server', 'id')).toEqual({ id: 'server' });
    expect(fieldMask('flavor', 'id')).toBeUndefined();
    expect(fieldMask('server', 'attached_volume_ids')).toEqual({
      id: 'volume',
    });
    expect(fieldMask('server', 'hypervisor_hostname')).toBe('infra');
    expect(fieldMask('server', 'fixed_ips')).toBe('ip');
    expect(fieldMask('server', 'metadata')).toBe('omit');
    expect(fieldMask('volume', 'attached_server_names')).toBe('name');
    expect(fieldMask('server', 'status')).toBeUndefined();
  });
});
