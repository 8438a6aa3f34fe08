import {
  createFrontendPlugin,
  createRouteRef,
  OverridableFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import RestoreIcon from '@material-ui/icons/Restore';

export const rootRouteRef = createRouteRef();

const restorePage = PageBlueprint.make({
  params: {
    path: '/pf9-restore',
    title: 'PF9 Restore',
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/RestorePage').then(m => <m.RestorePage />),
  },
});

/** The scaffolder field extensions the "Restore a VM" template uses. */
const restorePointPicker = FormFieldBlueprint.make({
  name: 'restore-point-picker',
  params: {
    field: () => import('./fields').then(m => m.restorePointPickerField),
  },
});

const ipStrategyPicker = FormFieldBlueprint.make({
  name: 'ip-strategy-picker',
  params: {
    field: () => import('./fields').then(m => m.ipStrategyPickerField),
  },
});

/**
 * PF9 Ops restore plugin: the Restore page (jobs, live progress, ledger, audit) and the scaffolder
 * pickers. It reads the pf9 API through the client the inventory plugin provides. The type is spelled out
 * because the form-field blueprint comes from scaffolder-react 3, built on a newer frontend-plugin-api.
 */
export const pf9RestorePlugin: OverridableFrontendPlugin<{
  root: typeof rootRouteRef;
}> = createFrontendPlugin({
  pluginId: 'pf9-restore',
  title: 'PF9 Restore',
  icon: <RestoreIcon />,
  routes: { root: rootRouteRef },
  extensions: [restorePage, restorePointPicker, ipStrategyPicker],
});
