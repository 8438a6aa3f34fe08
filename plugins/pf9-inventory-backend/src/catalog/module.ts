import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { readPf9Config } from '../config';
import { Pf9EntityProvider } from './provider';
import { Pf9Reader } from './pf9Reader';

/**
 * The catalog module: one entity provider per cloud, refreshed by a global scheduler task. It reads the
 * pf9 REST API, so the catalog may run on other hosts than the pf9 plugin.
 */
export const catalogModulePf9 = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'pf9',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        scheduler: coreServices.scheduler,
        logger: coreServices.logger,
      },
      async init({ catalog, config, auth, discovery, scheduler, logger }) {
        const pf9 = readPf9Config(config);
        const reader = new Pf9Reader({ auth, discovery });
        for (const cloud of pf9.clouds) {
          const provider = new Pf9EntityProvider({
            cloudId: cloud.id,
            types: pf9.catalog.types,
            mapping: {
              owners: pf9.catalog.owners,
              defaultOwner: pf9.catalog.defaultOwner,
              dashboardUrl: cloud.dashboardUrl,
            },
            reader,
            logger,
          });
          catalog.addEntityProvider(provider);
          await scheduler.scheduleTask({
            id: `pf9-catalog-${cloud.id}`,
            frequency: pf9.catalog.frequency,
            timeout: { minutes: 10 },
            scope: 'global',
            fn: async () => {
              const sent = await provider.refresh();
              logger.debug(`pf9 catalog refresh of ${cloud.id}: ${sent}`);
            },
          });
        }
      },
    });
  },
});
