import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { Pf9Reader } from '../catalog/pf9Reader';
import { readPf9Config } from '../config';
import {
  Pf9ResourceCollatorFactory,
  Pf9RestoreJobCollatorFactory,
  Pf9SnapshotRunCollatorFactory,
  Pf9SyncRunCollatorFactory,
} from './collators';

/** Registers the pf9 collators: resources (by name, id, IP, project), sync runs, snapshot cycles, restore jobs. */
export const searchModulePf9Collators = createBackendModule({
  pluginId: 'search',
  moduleId: 'pf9-collators',
  register(env) {
    env.registerInit({
      deps: {
        indexRegistry: searchIndexRegistryExtensionPoint,
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        scheduler: coreServices.scheduler,
      },
      async init({ indexRegistry, config, auth, discovery, scheduler }) {
        const pf9 = readPf9Config(config);
        const reader = new Pf9Reader({ auth, discovery });
        const cloudIds = pf9.clouds.map(cloud => cloud.id);
        const schedule = scheduler.createScheduledTaskRunner({
          frequency: { minutes: 10 },
          timeout: { minutes: 15 },
          initialDelay: { minutes: 1 },
        });
        indexRegistry.addCollator({
          schedule,
          factory: new Pf9ResourceCollatorFactory({
            reader,
            cloudIds,
            // The types that have catalog entity pages to link to.
            types: ['domain', 'project', ...pf9.catalog.types],
          }),
        });
        for (const factory of [
          new Pf9SyncRunCollatorFactory({ reader, cloudIds }),
          new Pf9SnapshotRunCollatorFactory({ reader, cloudIds }),
          new Pf9RestoreJobCollatorFactory({ reader, cloudIds }),
        ]) {
          indexRegistry.addCollator({ schedule, factory });
        }
      },
    });
  },
});
