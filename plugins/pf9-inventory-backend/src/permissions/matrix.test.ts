import {
  PF9_ROLES,
  pf9PermissionList,
  Pf9Role,
} from '@internal/plugin-pf9-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { decidePf9Permission } from './decide';

/**
 * SPEC §10.2, transcribed cell by cell (V O T A S). Kept independent of the implementation's own table so
 * that a wrong entry there fails here.
 */
const SPEC_MATRIX = `
pf9.inventory.read               VOTAS
pf9.inventory.export             VOTAS
pf9.inventory.export.unmasked    ..TAS
pf9.inventory.sync               ..TAS
pf9.inventory.deletions.approve  ...AS
pf9.drift.read                   VOTAS
pf9.drift.ack                    .OTAS
pf9.drift.rules                  ...AS
pf9.snapshots.read               VOTAS
pf9.snapshots.preview            .OTAS
pf9.snapshots.assign             ..TAS
pf9.snapshots.rules              ...AS
pf9.snapshots.policies           ...AS
pf9.snapshots.run                ...AS
pf9.snapshots.grants.revoke      ....S
pf9.snapshots.delete             ....S
pf9.restore.read                 VOTAS
pf9.restore.plan                 .OTAS
pf9.restore.execute.sideBySide   ..TAS
pf9.restore.retry                ...AS
pf9.restore.cleanup              ...AS
pf9.restore.execute.replace      ....S
pf9.restore.cleanupStorage       ....S
pf9.metering.read                VOTAS
pf9.metering.export              .OTAS
pf9.metering.config              ...AS
pf9.monitoring.read              VOTAS
pf9.monitoring.config            ...AS
pf9.notify.self                  VOTAS
pf9.notify.admin                 ...AS
pf9.provisioning.read            ..TAS
pf9.provisioning.run             ..TAS
pf9.resources.create             ..TAS
pf9.resources.quota              ...AS
pf9.flavors.manage               ...AS
pf9.domains.toggle               ...AS
pf9.domains.delete               ....S
pf9.resources.delete             ....S
pf9.reports.read                 VOTAS
pf9.reports.sensitive            ...AS
pf9.search.read                  VOTAS
pf9.search.sensitive             ...AS
pf9.search.reindex               ...AS
pf9.access.matrix                ....S
`
  .trim()
  .split('\n')
  .map(line => line.trim().split(/\s+/) as [string, string]);

const access = {
  roles: Object.fromEntries(
    PF9_ROLES.map(role => [role, [`group:default/${role}s`]]),
  ) as Record<Pf9Role, string[]>,
  scopes: [],
};

const permissionByName = new Map(pf9PermissionList.map(p => [p.name, p]));

describe('the default permission matrix (SPEC §10.2)', () => {
  it('covers exactly the permissions of the spec', () => {
    expect([...permissionByName.keys()].sort()).toEqual(
      SPEC_MATRIX.map(([name]) => name).sort(),
    );
  });

  const cells = SPEC_MATRIX.flatMap(([name, marks]) =>
    PF9_ROLES.map((role, index) => ({
      name,
      role,
      allowed: marks[index] !== '.',
    })),
  );

  it.each(cells)(
    '$role on $name: allowed=$allowed',
    ({ name, role, allowed }) => {
      const decision = decidePf9Permission(
        access,
        permissionByName.get(name)!,
        ['user:default/someone', `group:default/${role}s`],
      );
      expect(decision.result).toBe(
        allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      );
    },
  );

  it('gives a principal with no mapped ref no permission at all (ACL-2)', () => {
    for (const permission of pf9PermissionList) {
      expect(
        decidePf9Permission(access, permission, [
          'user:default/stranger',
          'group:default/everyone',
        ]).result,
      ).toBe(AuthorizeResult.DENY);
    }
  });

  it('uses the highest role when several refs match', () => {
    const decision = decidePf9Permission(
      access,
      permissionByName.get('pf9.access.matrix')!,
      ['group:default/viewers', 'group:default/superadmins'],
    );
    expect(decision.result).toBe(AuthorizeResult.ALLOW);
  });
});
