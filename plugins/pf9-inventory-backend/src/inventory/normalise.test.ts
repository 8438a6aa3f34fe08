import {
  canonicalJson,
  changedFields,
  contentHash,
  hashedForm,
  normalisedForm,
} from './normalise';

describe('normalised form (INV-15)', () => {
  it('sorts keys and set-valued lists, drops null and absent values, keeps ordered lists', () => {
    expect(
      canonicalJson({ b: [3, 1, 2], a: null, c: { z: 1, y: undefined } }),
    ).toBe('{"b":[1,2,3],"c":{"z":1}}');
    expect(canonicalJson({ dns_nameservers: ['9.9.9.9', '1.1.1.1'] })).toBe(
      '{"dns_nameservers":["9.9.9.9","1.1.1.1"]}',
    );
  });

  it('excludes volatile fields from the hash', () => {
    const a = normalisedForm(
      'server',
      { id: 's', name: 'web', task_state: 'spawning', updated: 'x' },
      { fixed_ips: ['10.0.0.2', '10.0.0.1'] },
    );
    const b = normalisedForm(
      'server',
      { id: 's', name: 'web', task_state: null, updated: 'y' },
      { fixed_ips: ['10.0.0.1', '10.0.0.2'] },
    );
    expect(contentHash(a)).toBe(contentHash(b));
    const pool = (free: number) =>
      contentHash(
        normalisedForm(
          'storage_pool',
          { name: 'p', free_capacity_gb: free },
          {},
        ),
      );
    expect(pool(1)).toBe(pool(2));
  });

  it('hashes once what the canonical JSON of the normalised form hashes', () => {
    const key = {
      id: 'n',
      dns_nameservers: ['9.9.9.9', '1.1.1.1'],
      tags: ['b', null, 'a'],
      fixed_ips: [
        { subnet_id: 's2', ip_address: '10.0.0.9' },
        { ip_address: '10.0.0.1', subnet_id: 's1', extra: null },
      ],
      allocation_pools: [{ start: '10.0.0.9' }, { start: '10.0.0.1' }],
      updated: 'x',
    };
    const derived = { project_name: 'p', owner: { z: [2, 1], a: {} } };
    const normalised = normalisedForm('subnet', key, derived);
    const once = hashedForm('subnet', key, derived);
    expect(once.normalised).toEqual(normalised);
    expect(once.json).toBe(canonicalJson(normalised));
    expect(once.hash).toBe(contentHash(normalised));
  });

  it('names the changed top-level fields', () => {
    expect(
      changedFields({ name: 'a', tags: ['x'] }, { name: 'b', tags: ['x'] }),
    ).toEqual(['name']);
  });
});
