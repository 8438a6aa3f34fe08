import { UserInfoService } from '@backstage/backend-plugin-api';
import {
  PF9_ROLES,
  Pf9AccessMe,
  Pf9Health,
  pf9PermissionList,
  pf9Permissions,
  roleHasPermission,
} from '@internal/plugin-pf9-common';
import express from 'express';
import Router from 'express-promise-router';
import { AccessConfig } from '../config';
import { RouteAuthorizer } from '../permissions/authorizer';
import { resolveRole } from '../permissions/roleResolver';
import { ComplianceRouterOptions, createComplianceRouter } from './compliance';
import { createExportRouter, ExportRouterOptions } from './export';
import { createInventoryRouter, InventoryRouterOptions } from './inventory';
import { createRestoreRouter, RestoreRouterOptions } from './restore';
import { createSnapshotRouter, SnapshotRouterOptions } from './snapshots';

export interface RouterOptions {
  health: Omit<Pf9Health, 'status'>;
  access: AccessConfig;
  authorizer: RouteAuthorizer;
  userInfo: UserInfoService;
  /** the inventory area's routes, under /inventory */
  inventory?: InventoryRouterOptions;
  /** the export area's routes (exports, delta), also under /inventory */
  exports?: ExportRouterOptions;
  /** the snapshots area's routes, under /snapshots */
  snapshots?: SnapshotRouterOptions;
  /** the compliance area's routes, under /compliance */
  compliance?: ComplianceRouterOptions;
  /** the restore area's routes, under /restore */
  restore?: RestoreRouterOptions;
}

/** The routes of the foundation: health and access. The areas add their own routers beside these. */
export function createRouter(options: RouterOptions): express.Router {
  const { health, access, authorizer, userInfo } = options;
  const router = Router();
  router.use(express.json());

  router.get('/health', (_req, res) => {
    const body: Pf9Health = { status: 'ok', ...health };
    res.json(body);
  });

  router.get('/access/me', async (req, res) => {
    // Open to every authenticated caller: it only tells callers their own role.
    const { credentials, actor } = await authorizer.identify(req);
    const refs = actor.startsWith('service:')
      ? [actor]
      : [
          actor,
          ...(await userInfo.getUserInfo(credentials)).ownershipEntityRefs,
        ];
    const role = resolveRole(access, { refs });
    const body: Pf9AccessMe = {
      principal: actor,
      role,
      permissions: role
        ? pf9PermissionList
            .map(permission => permission.name)
            .filter(name => roleHasPermission(role, name))
        : [],
    };
    res.json(body);
  });

  router.get('/access/matrix', async (req, res) => {
    await authorizer.authorize(req, pf9Permissions.accessMatrix);
    res.json({
      roles: PF9_ROLES,
      permissions: pf9PermissionList.map(permission => ({
        name: permission.name,
        roles: PF9_ROLES.filter(role =>
          roleHasPermission(role, permission.name),
        ),
      })),
    });
  });

  if (options.inventory) {
    router.use('/inventory', createInventoryRouter(options.inventory));
  }
  if (options.exports) {
    router.use('/inventory', createExportRouter(options.exports));
  }
  if (options.snapshots) {
    router.use('/snapshots', createSnapshotRouter(options.snapshots));
  }
  if (options.compliance) {
    router.use('/compliance', createComplianceRouter(options.compliance));
  }
  if (options.restore) {
    router.use('/restore', createRestoreRouter(options.restore));
  }

  return router;
}
