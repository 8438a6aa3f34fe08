import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';

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
  routes: { root: rootRouteRef },
  extensions: [restorePage],
});
