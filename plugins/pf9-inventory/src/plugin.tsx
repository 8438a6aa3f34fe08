import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  OverridableFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import CloudQueueIcon from '@material-ui/icons/CloudQueue';
import { Pf9Client } from '@internal/plugin-pf9-common';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { pf9ApiRef } from './api';
import { isOpenStackEntity } from './lib/related';
import { rootRouteRef } from './routes';

export { rootRouteRef };

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

/** The OpenStack tab of an entity the pf9 catalog module emits: fields, history and related resources. */
const openStackEntityContent = EntityContentBlueprint.make({
  name: 'openstack',
  params: {
    path: 'openstack',
    title: 'OpenStack',
    filter: isOpenStackEntity,
    loader: () =>
      import('./components/OpenStackEntityContent').then(m => (
        <m.OpenStackEntityContent />
      )),
  },
});

/** A summary card of the OpenStack resource on the entity's overview tab. */
const openStackEntityCard = EntityCardBlueprint.make({
  name: 'openstack-summary',
  params: {
    filter: isOpenStackEntity,
    loader: () =>
      import('./components/OpenStackSummaryCard').then(m => (
        <m.OpenStackSummaryCard />
      )),
  },
});

/**
 * PF9 Ops inventory plugin: the PF9 pages, the shared pf9 API client, and the OpenStack tab and card of the
 * catalog entities the pf9 catalog module emits. The type is spelled out because the catalog blueprints come
 * from plugin-catalog-react 4, built on a newer frontend-plugin-api than this package (TS2742 otherwise).
 */
export const pf9InventoryPlugin: OverridableFrontendPlugin<{
  root: typeof rootRouteRef;
}> = createFrontendPlugin({
  pluginId: 'pf9-inventory',
  title: 'PF9 Ops',
  icon: <CloudQueueIcon />,
  routes: { root: rootRouteRef },
  extensions: [pf9Api, pf9Page, openStackEntityContent, openStackEntityCard],
});
