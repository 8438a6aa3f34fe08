import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
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

/** PF9 Ops restore plugin. */
export const pf9RestorePlugin = createFrontendPlugin({
  pluginId: 'pf9-restore',
  title: 'PF9 Restore',
  icon: <RestoreIcon />,
  routes: { root: rootRouteRef },
  extensions: [restorePage],
});
