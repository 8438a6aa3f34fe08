/**
 * A test backend with the pf9 plugin on a given database, the real permission backend and pf9's policy,
 * and Backstage's real auth with static tokens: `tokens` maps a subject to its token, and the caller is
 * `service:external:<subject>` (ACL-2). Schedules stay quiet.
 */
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import {
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import permissionBackend from '@backstage/plugin-permission-backend';
import { Knex } from 'knex';
import { pf9PermissionPolicyModule } from '../../permissions/policy';
import { pf9Plugin } from '../../plugin';

export async function startPf9Backend(options: {
  /** the pf9 plugin's database; every other plugin gets its own SQLite */
  db: Knex;
  databases: TestDatabases;
  /** the `pf9` key; quiet schedules are filled in */
  pf9: Record<string, unknown>;
  /** subject → static token */
  tokens: Record<string, string>;
}): Promise<TestBackend> {
  const { db, databases } = options;
  return startTestBackend({
    features: [
      pf9Plugin,
      permissionBackend,
      pf9PermissionPolicyModule,
      mockServices.rootConfig.factory({
        data: {
          pf9: {
            inventory: { schedule: { initialDelay: { hours: 1 } } },
            export: { schedule: { enabled: false } },
            snapshots: { enabled: false },
            monitoring: { allowAnonymousScrape: true },
            ...options.pf9,
          },
          permission: { enabled: true },
          backend: {
            auth: {
              externalAccess: Object.entries(options.tokens).map(
                ([subject, token]) => ({
                  type: 'static',
                  options: { token, subject },
                }),
              ),
            },
          },
        },
      }),
      createServiceFactory({
        service: coreServices.database,
        deps: { plugin: coreServices.pluginMetadata },
        async factory({ plugin }) {
          const knex =
            plugin.getId() === 'pf9' ? db : await databases.init('SQLITE_3');
          return mockServices.database({ knex });
        },
      }),
      permissionsServiceFactory,
      authServiceFactory,
      httpAuthServiceFactory,
    ],
  });
}
