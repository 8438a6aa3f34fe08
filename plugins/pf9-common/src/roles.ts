import { pf9Permissions, Pf9PermissionKey } from './permissions';

/** The five roles, lowest first (SPEC §10.1). */
export const PF9_ROLES = [
  'viewer',
  'operator',
  'technical',
  'admin',
  'superadmin',
] as const;

export type Pf9Role = (typeof PF9_ROLES)[number];

export function isPf9Role(value: string): value is Pf9Role {
  return (PF9_ROLES as readonly string[]).includes(value);
}

export function roleRank(role: Pf9Role): number {
  return PF9_ROLES.indexOf(role);
}

/**
 * The lowest role holding each permission. Every row of the SPEC §10.2 matrix is monotonic (a role holds
 * everything the roles below it hold), so one minimum role per permission is the whole matrix.
 */
const MINIMUM_ROLE: Record<Pf9PermissionKey, Pf9Role> = {
  inventoryRead: 'viewer',
  inventoryExport: 'viewer',
  inventoryExportUnmasked: 'technical',
  inventorySync: 'technical',
  inventoryDeletionsApprove: 'admin',
  driftRead: 'viewer',
  driftAck: 'operator',
  driftRules: 'admin',
  snapshotsRead: 'viewer',
  snapshotsPreview: 'operator',
  snapshotsAssign: 'technical',
  snapshotsRules: 'admin',
  snapshotsPolicies: 'admin',
  snapshotsRun: 'admin',
  snapshotsGrantsRevoke: 'superadmin',
  snapshotsDelete: 'superadmin',
  restoreRead: 'viewer',
  restorePlan: 'operator',
  restoreExecuteSideBySide: 'technical',
  restoreRetry: 'admin',
  restoreCleanup: 'admin',
  restoreExecuteReplace: 'superadmin',
  restoreCleanupStorage: 'superadmin',
  meteringRead: 'viewer',
  meteringExport: 'operator',
  meteringConfig: 'admin',
  monitoringRead: 'viewer',
  monitoringConfig: 'admin',
  notifySelf: 'viewer',
  notifyAdmin: 'admin',
  provisioningRead: 'technical',
  provisioningRun: 'technical',
  resourcesCreate: 'technical',
  resourcesQuota: 'admin',
  flavorsManage: 'admin',
  domainsToggle: 'admin',
  domainsDelete: 'superadmin',
  resourcesDelete: 'superadmin',
  reportsRead: 'viewer',
  reportsSensitive: 'admin',
  searchRead: 'viewer',
  searchSensitive: 'admin',
  searchReindex: 'admin',
  accessMatrix: 'superadmin',
};

const minimumRoleByName = new Map<string, Pf9Role>(
  (Object.keys(MINIMUM_ROLE) as Pf9PermissionKey[]).map(key => [
    pf9Permissions[key].name,
    MINIMUM_ROLE[key],
  ]),
);

/** Whether the default matrix grants a permission (by name) to a role; unknown names are never granted. */
export function roleHasPermission(role: Pf9Role, permissionName: string) {
  const minimum = minimumRoleByName.get(permissionName);
  return minimum !== undefined && roleRank(role) >= roleRank(minimum);
}

/** Roles that are cloud-wide whatever their groups' scope entries say (ACL-3). */
export function isCloudWideRole(role: Pf9Role): boolean {
  return roleRank(role) >= roleRank('admin');
}
