import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createAccessRoleAction } from './actions/accessRole';
import { createRestoreExecuteAction } from './actions/restoreExecute';
import { createRestorePlanAction } from './actions/restorePlan';
import { Pf9ApiCaller } from './pf9Api';

/** Registers the pf9 template actions with the scaffolder. */
export const pf9ScaffolderActionsModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'pf9-actions',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
      },
      async init({ scaffolder, auth, discovery }) {
        const api = new Pf9ApiCaller({ auth, discovery });
        scaffolder.addActions(
          createAccessRoleAction(api),
          createRestorePlanAction(api),
          createRestoreExecuteAction(api),
        );
      },
    });
  },
});
