import { entityRefOf, toEntity } from './entities';

const options = {
  owners: [
    { domainId: 'd-alpha', group: 'group:default/alpha-team' },
    { projectId: 'p-prod', group: 'group:default/alpha-prod-oncall' },
  ],
  defaultOwner: 'group:default/cloud-ops',
  dashboardUrl: 'https://cloud.example.net/',
};

const server = {
  cloudId: 'east',
  type: 'server',
  id: '6f0c8a4e-1b2c-4d5e-8f90-a1b2c3d4e5f6',
  name: 'web-1',
  projectId: 'p-prod',
  domainId: 'd-alpha',
  fields: {},
  derived: { attached_volume_ids: ['vol-1'], network_ids: ['net-1'] },
};

describe('toEntity', () => {
  it('maps a server to a Resource in the cloud namespace with owner, system and dependsOn', () => {
    expect(toEntity(server, options)).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: server.id,
        namespace: 'east',
        title: 'web-1',
        annotations: {
          'backstage.io/managed-by-location': 'pf9:east',
          'backstage.io/managed-by-origin-location': 'pf9:east',
          'pf9.io/cloud-id': 'east',
          'pf9.io/resource-type': 'server',
          'backstage.io/view-url': `https://cloud.example.net/project/instances/${server.id}/`,
        },
      },
      spec: {
        type: 'openstack-server',
        owner: 'group:default/alpha-prod-oncall',
        system: 'system:east/p-prod',
        dependsOn: ['resource:east/vol-1', 'resource:east/net-1'],
      },
    });
  });

  it('maps domains to Domain and projects to System entities, owners by domain or default', () => {
    const domain = toEntity(
      {
        ...server,
        type: 'domain',
        id: 'd-alpha',
        name: 'alpha',
        projectId: null,
        domainId: 'd-alpha',
      },
      options,
    );
    expect(domain.kind).toBe('Domain');
    expect(domain.spec).toEqual({ owner: 'group:default/alpha-team' });

    const project = toEntity(
      {
        ...server,
        type: 'project',
        id: 'p-dev',
        name: 'alpha-dev',
        projectId: null,
        domainId: 'd-alpha',
      },
      options,
    );
    expect(project.kind).toBe('System');
    expect(project.spec).toEqual({
      owner: 'group:default/alpha-team',
      domain: 'domain:east/d-alpha',
    });

    const orphan = toEntity(
      {
        ...server,
        type: 'volume',
        id: 'vol-9',
        name: null,
        projectId: null,
        domainId: null,
      },
      { ...options, dashboardUrl: undefined },
    );
    expect(orphan.metadata.title).toBe('vol-9');
    expect(orphan.spec).toEqual({
      type: 'openstack-volume',
      owner: 'group:default/cloud-ops',
      dependsOn: [],
    });
    expect(orphan.metadata.annotations).not.toHaveProperty(
      'backstage.io/view-url',
    );
  });

  it('gives the refs delta removals use', () => {
    expect(entityRefOf({ cloudId: 'east', type: 'project', id: 'p1' })).toBe(
      'system:east/p1',
    );
    expect(entityRefOf({ cloudId: 'east', type: 'domain', id: 'd1' })).toBe(
      'domain:east/d1',
    );
    expect(entityRefOf({ cloudId: 'east', type: 'network', id: 'n1' })).toBe(
      'resource:east/n1',
    );
  });
});
