import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { pf9Permissions } from '@internal/plugin-pf9-common';
import { decidePf9Permission } from './decide';

const access = {
  roles: {
    technical: ['group:default/tenant-a-ops', 'group:default/empty-scope'],
    admin: ['group:default/cloud-admins'],
  },
  scopes: [
    { group: 'group:default/tenant-a-ops', domainIds: ['d-a'], projectIds: [] },
    {
      group: 'group:default/tenant-a-extra',
      domainIds: [],
      projectIds: ['p-x'],
    },
    { group: 'group:default/cloud-admins', domainIds: ['d-a'], projectIds: [] },
    { group: 'group:default/empty-scope', domainIds: [], projectIds: [] },
  ],
};

describe('scope as conditional decisions (ACL-3)', () => {
  it('limits a scoped technical user to the union of their groups’ domains and projects', () => {
    const decision = decidePf9Permission(access, pf9Permissions.inventoryRead, [
      'user:default/u',
      'group:default/tenant-a-ops',
      'group:default/tenant-a-extra',
    ]);
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'pf9',
      resourceType: 'pf9-scoped-resource',
      conditions: {
        anyOf: [
          {
            rule: 'IN_DOMAIN',
            resourceType: 'pf9-scoped-resource',
            params: { domainIds: ['d-a'] },
          },
          {
            rule: 'IN_PROJECT',
            resourceType: 'pf9-scoped-resource',
            params: { projectIds: ['p-x'] },
          },
        ],
      },
    });
  });

  it('keeps admins cloud-wide even when their group has a scope entry', () => {
    expect(
      decidePf9Permission(access, pf9Permissions.inventoryRead, [
        'group:default/cloud-admins',
      ]).result,
    ).toBe(AuthorizeResult.ALLOW);
  });

  it('does not scope basic (non-resource) permissions', () => {
    expect(
      decidePf9Permission(access, pf9Permissions.inventorySync, [
        'group:default/tenant-a-ops',
      ]).result,
    ).toBe(AuthorizeResult.ALLOW);
  });

  it('denies when a scope entry names neither domains nor projects', () => {
    expect(
      decidePf9Permission(access, pf9Permissions.inventoryRead, [
        'group:default/empty-scope',
      ]).result,
    ).toBe(AuthorizeResult.DENY);
  });
});
