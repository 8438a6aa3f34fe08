import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import CloudQueueIcon from '@material-ui/icons/CloudQueue';
import { Pf9Client } from '@internal/plugin-pf9-common';
import { pf9ApiRef } from './api';

export const rootRouteRef = createRouteRef();

const pf9Api = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: pf9ApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new Pf9Client({ discoveryApi, fetchApi }),
    }),
});

const pf9Page = PageBlueprint.make({
  params: {
    path: '/pf9',
    title: 'PF9 Ops',
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/Pf9InventoryPage').then(m => <m.Pf9InventoryPage />),
  },
});

/** PF9 Ops inventory plugin: the PF9 pages and the shared pf9 API client. */
export const pf9InventoryPlugin = createFrontendPlugin({
  pluginId: 'pf9-inventory',
  title: 'PF9 Ops',
  icon: <CloudQueueIcon />,
  routes: { root: rootRouteRef },
  extensions: [pf9Api, pf9Page],
});
