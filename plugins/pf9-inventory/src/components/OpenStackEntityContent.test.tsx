import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  catalogApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { fireEvent, screen, within } from '@testing-library/react';
import type { InventoryResourceDetail } from '@internal/plugin-pf9-common';
import { pf9ApiRef } from '../api';
import { isOpenStackEntity, relatedResourcesOf } from '../lib/related';
import { rootRouteRef } from '../routes';
import { server, version } from '../testUtils/fixtures';
import { mockPf9Client } from '../testUtils/mockPf9Client';
import { OpenStackEntityContent } from './OpenStackEntityContent';
import { OpenStackSummaryCard } from './OpenStackSummaryCard';

const SERVER_ID = 'srv-0001';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: SERVER_ID,
    namespace: 'demo',
    title: 'web-1',
    annotations: {
      'pf9.io/cloud-id': 'demo',
      'pf9.io/resource-type': 'server',
    },
  },
  spec: { type: 'openstack-server', owner: 'group:default/pf9-operators' },
};

function serverDetail(): InventoryResourceDetail {
  const base = server(1);
  return {
    ...base,
    fields: { ...base.fields, flavor_name: 'm1.small', port_ids: ['port-1'] },
    derived: {
      ...base.derived,
      attached_volume_ids: ['vol-1'],
      network_ids: ['net-1'],
    },
    raw: { id: SERVER_ID },
  };
}

function setup() {
  const client = mockPf9Client({
    getResource: jest.fn(async () => serverDetail()),
    getHistory: jest.fn(async () => ({
      items: [
        version(2, 'updated', { name: 'web-1', status: 'SHUTOFF' }, ['status']),
        version(1, 'discovered', { name: 'web-1', status: 'ACTIVE' }, [
          'name',
          'status',
        ]),
      ],
      page: 1,
      pageSize: 20,
      total: 2,
    })),
  });
  // the catalog holds the volume and the project, but not the port or the network
  const catalogApi = catalogApiMock({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: 'vol-1', namespace: 'demo', title: 'data-vol' },
        spec: { type: 'openstack-volume' },
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'System',
        metadata: { name: 'p1', namespace: 'demo', title: 'alpha' },
        spec: {},
      },
    ],
  });
  return { client, catalogApi };
}

const mountedRoutes = {
  '/catalog/:namespace/:kind/:name': entityRouteRef,
  '/pf9': rootRouteRef,
};

describe('OpenStackEntityContent', () => {
  it('shows the resource fields, its history and its related resources', async () => {
    const { client, catalogApi } = setup();
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <OpenStackEntityContent />
      </EntityProvider>,
      {
        apis: [
          [pf9ApiRef, client],
          [catalogApiRef, catalogApi],
        ],
        mountedRoutes,
      },
    );

    expect(await screen.findByTestId('resource-id')).toHaveTextContent(
      SERVER_ID,
    );
    expect(client.getResource).toHaveBeenCalledWith('server', SERVER_ID, {
      cloudId: 'demo',
    });
    expect(screen.getByText('flavor_name')).toBeInTheDocument();
    expect(screen.getByText('m1.small')).toBeInTheDocument();

    // the history timeline with the selected version's changes
    expect(await screen.findByText('v2 · updated')).toBeInTheDocument();
    expect(screen.getByText('v1 · discovered')).toBeInTheDocument();
    expect(screen.getByTestId('old-status')).toHaveTextContent('ACTIVE');
    expect(screen.getByTestId('new-status')).toHaveTextContent('SHUTOFF');
    expect(client.getHistory).toHaveBeenCalledWith(
      'server',
      SERVER_ID,
      expect.objectContaining({ cloudId: 'demo' }),
    );

    // related resources: catalog entities link to their pages, others to the inventory drawer
    const related = await screen.findByRole('table', {
      name: 'Related resources',
    });
    expect(
      within(related).getByRole('link', { name: 'data-vol' }),
    ).toHaveAttribute('href', '/catalog/demo/resource/vol-1');
    expect(
      within(related).getByRole('link', { name: 'alpha' }),
    ).toHaveAttribute('href', '/catalog/demo/system/p1');
    expect(
      within(related).getByRole('link', { name: 'port-1' }),
    ).toHaveAttribute('href', '/pf9/network?type=port&id=port-1');
    expect(
      within(related).getByRole('link', { name: 'net-1' }),
    ).toHaveAttribute('href', '/pf9/network?type=network&id=net-1');
    expect(
      screen.getByRole('link', { name: /Open in PF9 inventory/ }),
    ).toHaveAttribute('href', '/pf9/compute?type=server&id=srv-0001');

    // a server's page starts the "Restore a VM" template with the server filled in
    expect(
      screen.getByRole('button', { name: /Restore this VM/ }),
    ).toHaveAttribute(
      'href',
      `/create/templates/default/restore-vm?formData=${encodeURIComponent(
        JSON.stringify({ cloudId: 'demo', serverId: SERVER_ID }),
      )}`,
    );

    // the raw payload stays one click away
    fireEvent.click(screen.getByRole('tab', { name: 'Raw' }));
    expect(await screen.findByText(/"id": "srv-0001"/)).toBeInTheDocument();
  });

  it('explains an entity without the pf9 annotations', async () => {
    const { client, catalogApi } = setup();
    await renderInTestApp(
      <EntityProvider
        entity={{
          ...entity,
          metadata: { name: 'x', annotations: { 'pf9.io/cloud-id': 'demo' } },
        }}
      >
        <OpenStackEntityContent />
      </EntityProvider>,
      {
        apis: [
          [pf9ApiRef, client],
          [catalogApiRef, catalogApi],
        ],
        mountedRoutes,
      },
    );
    expect(
      await screen.findByText(/Not an OpenStack resource/),
    ).toBeInTheDocument();
    expect(client.getResource).not.toHaveBeenCalled();
    expect(
      screen.queryByRole('button', { name: /Restore this VM/ }),
    ).not.toBeInTheDocument();
  });
});

describe('OpenStackSummaryCard', () => {
  it('summarises the resource and links to the OpenStack tab', async () => {
    const { client, catalogApi } = setup();
    await renderInTestApp(
      <EntityProvider entity={entity}>
        <OpenStackSummaryCard />
      </EntityProvider>,
      {
        apis: [
          [pf9ApiRef, client],
          [catalogApiRef, catalogApi],
        ],
        mountedRoutes,
      },
    );
    expect(await screen.findByText('ACTIVE')).toBeInTheDocument();
    expect(screen.getByText('alpha')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /Fields, history and related/ }),
    ).toHaveAttribute('href', '/catalog/demo/resource/srv-0001/openstack');
  });
});

describe('related resources', () => {
  it('are read from key and derived id fields, grouped, without the resource itself', () => {
    expect(
      relatedResourcesOf({
        type: 'volume',
        id: 'vol-1',
        projectId: 'p1',
        domainId: null,
        fields: { volume_id: 'vol-1', snapshot_id: 'snap-1' },
        derived: {
          attached_server_ids: ['srv-1', 'srv-2'],
          server_id: 'srv-1',
          project_id: 'p1',
        },
      }),
    ).toEqual([
      { type: 'project', id: 'p1', via: ['project_id'] },
      { type: 'volume_snapshot', id: 'snap-1', via: ['snapshot_id'] },
      {
        type: 'server',
        id: 'srv-1',
        via: ['attached_server_ids', 'server_id'],
      },
      { type: 'server', id: 'srv-2', via: ['attached_server_ids'] },
    ]);
  });

  it('are shown only for entities carrying the resource-type annotation', () => {
    expect(isOpenStackEntity(entity)).toBe(true);
    expect(isOpenStackEntity({ metadata: { annotations: {} } })).toBe(false);
  });
});
