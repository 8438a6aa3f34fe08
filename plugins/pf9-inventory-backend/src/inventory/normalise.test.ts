import {
  canonicalJson,
  changedFields,
  contentHash,
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

  it('names the changed top-level fields', () => {
    expect(
      changedFields({ name: 'a', tags: ['x'] }, { name: 'b', tags: ['x'] }),
    ).toEqual(['name']);
  });
});
