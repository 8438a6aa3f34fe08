/*
 * The PF9 Ops portal backend: Backstage's catalog, scaffolder, search, permission and notifications plugins,
 * plus the pf9 plugin, its permission policy and the pf9 scaffolder actions.
 */
import { createBackend } from '@backstage/backend-defaults';
import {
  catalogModulePf9,
  pf9PermissionPolicyModule,
  searchModulePf9Collators,
} from '@internal/plugin-pf9-inventory-backend';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// auth: guest sign-in in the embedded default; production configs add a real provider
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(catalogModulePf9);

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
backend.add(import('@internal/plugin-pf9-scaffolder-actions'));

// permissions: the pf9 role matrix (SPEC §10); other plugins' permissions stay allowed
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(pf9PermissionPolicyModule);

backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(searchModulePf9Collators);

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));

backend.add(import('@internal/plugin-pf9-inventory-backend'));

backend.start();
