import {
  INVENTORY_FAMILIES,
  INVENTORY_TYPES,
  INVENTORY_TYPES_BY_FAMILY,
  inventoryFamilyOf,
} from './inventory';

describe('inventory families', () => {
  it('put each of the 29 types in exactly one family', () => {
    const grouped = INVENTORY_FAMILIES.flatMap(
      family => INVENTORY_TYPES_BY_FAMILY[family],
    );
    expect(INVENTORY_TYPES).toHaveLength(29);
    expect([...grouped].sort()).toEqual([...INVENTORY_TYPES].sort());
    expect(new Set(grouped).size).toBe(grouped.length);
  });

  it('finds the family of a type', () => {
    expect(inventoryFamilyOf('server')).toBe('compute');
    expect(inventoryFamilyOf('image')).toBe('compute');
    expect(inventoryFamilyOf('volume_type')).toBe('storage');
    expect(inventoryFamilyOf('floating_ip')).toBe('network');
    expect(inventoryFamilyOf('project_quota')).toBe('identity');
  });
});
