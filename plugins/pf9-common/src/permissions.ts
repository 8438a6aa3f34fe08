import {
  BasicPermission,
  createPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * The resource type for everything that belongs to a domain and project. Conditional decisions on it carry
 * the IN_DOMAIN / IN_PROJECT rules, which the areas translate into database filters on ids (SPEC ACL-3).
 */
export const PF9_SCOPED_RESOURCE_TYPE = 'pf9-scoped-resource';

export type Pf9ScopedPermission = ResourcePermission<
  typeof PF9_SCOPED_RESOURCE_TYPE
>;
export type Pf9Permission = BasicPermission | Pf9ScopedPermission;

function scoped(name: string, action: 'read' | 'update' | 'create' = 'read') {
  return createPermission({
    name,
    attributes: { action },
    resourceType: PF9_SCOPED_RESOURCE_TYPE,
  });
}

function basic(
  name: string,
  action: 'read' | 'update' | 'create' | 'delete' = 'update',
) {
  return createPermission({ name, attributes: { action } });
}

/** Every permission of SPEC §10.2, keyed by a short name. */
export const pf9Permissions = {
  inventoryRead: scoped('pf9.inventory.read'),
  inventoryExport: scoped('pf9.inventory.export'),
  inventoryExportUnmasked: scoped('pf9.inventory.export.unmasked'),
  inventorySync: basic('pf9.inventory.sync', 'create'),
  inventoryDeletionsApprove: basic('pf9.inventory.deletions.approve'),
  driftRead: scoped('pf9.drift.read'),
  driftAck: scoped('pf9.drift.ack', 'update'),
  driftRules: basic('pf9.drift.rules'),
  snapshotsRead: scoped('pf9.snapshots.read'),
  snapshotsPreview: scoped('pf9.snapshots.preview'),
  snapshotsAssign: scoped('pf9.snapshots.assign', 'update'),
  snapshotsRules: basic('pf9.snapshots.rules'),
  snapshotsPolicies: basic('pf9.snapshots.policies'),
  snapshotsRun: basic('pf9.snapshots.run', 'create'),
  snapshotsGrantsRevoke: basic('pf9.snapshots.grants.revoke', 'delete'),
  snapshotsDelete: basic('pf9.snapshots.delete', 'delete'),
  restoreRead: scoped('pf9.restore.read'),
  restorePlan: scoped('pf9.restore.plan', 'create'),
  restoreExecuteSideBySide: scoped('pf9.restore.execute.sideBySide', 'create'),
  restoreRetry: basic('pf9.restore.retry', 'create'),
  restoreCleanup: basic('pf9.restore.cleanup', 'delete'),
  restoreExecuteReplace: basic('pf9.restore.execute.replace', 'delete'),
  restoreCleanupStorage: basic('pf9.restore.cleanupStorage', 'delete'),
  meteringRead: scoped('pf9.metering.read'),
  meteringExport: scoped('pf9.metering.export'),
  meteringConfig: basic('pf9.metering.config'),
  monitoringRead: scoped('pf9.monitoring.read'),
  monitoringConfig: basic('pf9.monitoring.config'),
  notifySelf: basic('pf9.notify.self'),
  notifyAdmin: basic('pf9.notify.admin'),
  provisioningRead: scoped('pf9.provisioning.read'),
  provisioningRun: basic('pf9.provisioning.run', 'create'),
  resourcesCreate: basic('pf9.resources.create', 'create'),
  resourcesQuota: basic('pf9.resources.quota'),
  flavorsManage: basic('pf9.flavors.manage', 'create'),
  domainsToggle: basic('pf9.domains.toggle'),
  domainsDelete: basic('pf9.domains.delete', 'delete'),
  resourcesDelete: basic('pf9.resources.delete', 'delete'),
  reportsRead: scoped('pf9.reports.read'),
  reportsSensitive: basic('pf9.reports.sensitive', 'read'),
  searchRead: scoped('pf9.search.read'),
  searchSensitive: basic('pf9.search.sensitive', 'read'),
  searchReindex: basic('pf9.search.reindex', 'create'),
  accessMatrix: basic('pf9.access.matrix'),
} as const;

export type Pf9PermissionKey = keyof typeof pf9Permissions;

export const pf9PermissionList: Pf9Permission[] = Object.values(pf9Permissions);

/** Permissions marked ☠ in SPEC §10.2: never grantable below superadmin (ACL-5). */
export const destructivePermissionNames: ReadonlySet<string> = new Set([
  pf9Permissions.snapshotsGrantsRevoke.name,
  pf9Permissions.snapshotsDelete.name,
  pf9Permissions.restoreExecuteReplace.name,
  pf9Permissions.restoreCleanupStorage.name,
  pf9Permissions.domainsDelete.name,
  pf9Permissions.resourcesDelete.name,
  pf9Permissions.accessMatrix.name,
]);

export function isPf9Permission(name: string): boolean {
  return name.startsWith('pf9.');
}
