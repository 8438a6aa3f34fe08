import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { CloudConfig } from '../config';
import { credentialKey, resolveCloud, resolveClouds } from './clouds';
import { OpenStackConfigError } from './errors';
import { authBody } from './session';

let dir: string;
const base = { interface: 'public' as const, insecure: false };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pf9-clouds-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const yaml = `
clouds:
  lab:
    auth:
      auth_url: http://k:5000
      username: admin
      password: secret
      user_domain_name: Default
      project_name: admin
      project_domain_id: default
    region_name: RegionOne
    interface: internal
    cacert: /etc/ssl/lab.pem
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://k2/identity/v3/
      application_credential_id: ac1
      application_credential_secret: s3cret
    verify: false
`;

function write(path: string, text = yaml) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

const opts = (env: NodeJS.ProcessEnv = {}) => ({
  env,
  cwd: join(dir, 'cwd'),
  homeDir: join(dir, 'home'),
});

describe('clouds.yaml', () => {
  it('reads an explicit file: password auth, region, interface, cacert', () => {
    write(join(dir, 'c.yaml'));
    const c = resolveCloud(
      {
        id: 'one',
        cloudsYaml: { file: join(dir, 'c.yaml'), cloud: 'lab' },
        ...base,
      },
      opts(),
    );
    expect(c).toMatchObject({
      id: 'one',
      region: 'RegionOne',
      interface: 'internal',
      caFile: '/etc/ssl/lab.pem',
      insecure: false,
      auth: {
        authUrl: 'http://k:5000/v3',
        method: 'password',
        username: 'admin',
        userDomainName: 'Default',
        projectName: 'admin',
        projectDomainId: 'default',
      },
    });
    expect(authBody(c)).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: {
              name: 'admin',
              domain: { name: 'Default' },
              password: 'secret',
            },
          },
        },
        scope: { project: { name: 'admin', domain: { id: 'default' } } },
      },
    });
  });

  it('application credential entry with verify: false', () => {
    write(join(dir, 'c.yaml'));
    const c = resolveCloud(
      {
        id: 'two',
        cloudsYaml: { file: join(dir, 'c.yaml'), cloud: 'appcred' },
        ...base,
      },
      opts(),
    );
    expect(c.auth).toMatchObject({
      authUrl: 'https://k2/identity/v3',
      method: 'application_credential',
      applicationCredentialId: 'ac1',
    });
    expect(c.insecure).toBe(true);
    expect(authBody(c)).toEqual({
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: { id: 'ac1', secret: 's3cret' },
        },
      },
    });
  });

  it('standard lookup order: OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack, /etc', () => {
    const cloud: CloudConfig = {
      id: 'x',
      cloudsYaml: { cloud: 'lab' },
      ...base,
    };
    write(join(dir, 'home', '.config', 'openstack', 'clouds.yaml'));
    expect(resolveCloud(cloud, opts()).source).toContain(join(dir, 'home'));
    write(join(dir, 'cwd', 'clouds.yaml'));
    expect(resolveCloud(cloud, opts()).source).toContain(join(dir, 'cwd'));
    write(join(dir, 'env.yaml'));
    expect(
      resolveCloud(
        cloud,
        opts({ OS_CLIENT_CONFIG_FILE: join(dir, 'env.yaml') }),
      ).source,
    ).toContain('env.yaml');
  });

  it('a missing cloud or file is a config error naming what was tried', () => {
    write(join(dir, 'c.yaml'));
    expect(() =>
      resolveCloud(
        {
          id: 'x',
          cloudsYaml: { file: join(dir, 'c.yaml'), cloud: 'nope' },
          ...base,
        },
        opts(),
      ),
    ).toThrow(/has no cloud named 'nope'/);
    expect(() =>
      resolveCloud(
        {
          id: 'x',
          cloudsYaml: { file: join(dir, 'none.yaml'), cloud: 'lab' },
          ...base,
        },
        opts(),
      ),
    ).toThrow(OpenStackConfigError);
  });

  it('app-config region and a non-default interface win over the file', () => {
    write(join(dir, 'c.yaml'));
    const c = resolveCloud(
      {
        id: 'x',
        cloudsYaml: { file: join(dir, 'c.yaml'), cloud: 'lab' },
        region: 'R2',
        interface: 'admin',
        insecure: false,
      },
      opts(),
    );
    expect([c.region, c.interface]).toEqual(['R2', 'admin']);
  });
});

describe('OS_* environment', () => {
  const env = {
    OS_AUTH_URL: 'http://k:5000/v3',
    OS_USERNAME: 'u',
    OS_PASSWORD: 'p',
    OS_USER_DOMAIN_ID: 'default',
    OS_PROJECT_ID: 'abc',
    OS_REGION_NAME: 'RegionOne',
    OS_INTERFACE: 'internal',
    OS_CACERT: '/ca.pem',
  };

  it('password variables', () => {
    const c = resolveCloud(
      { id: 'env', fromEnvironment: true, ...base },
      opts(env),
    );
    expect(c).toMatchObject({
      region: 'RegionOne',
      interface: 'internal',
      caFile: '/ca.pem',
      auth: {
        method: 'password',
        username: 'u',
        userDomainId: 'default',
        projectId: 'abc',
      },
    });
    expect(authBody(c)).toMatchObject({
      auth: { scope: { project: { id: 'abc' } } },
    });
  });

  it('application credential variables', () => {
    const c = resolveCloud(
      { id: 'env', fromEnvironment: true, ...base },
      opts({
        OS_AUTH_URL: 'http://k:5000',
        OS_APPLICATION_CREDENTIAL_ID: 'id1',
        OS_APPLICATION_CREDENTIAL_SECRET: 's1',
      }),
    );
    expect(c.auth).toMatchObject({
      authUrl: 'http://k:5000/v3',
      method: 'application_credential',
      applicationCredentialId: 'id1',
      applicationCredentialSecret: 's1',
    });
  });

  it('OS_CLOUD selects a clouds.yaml entry', () => {
    write(join(dir, 'cwd', 'clouds.yaml'));
    const c = resolveCloud(
      { id: 'env', fromEnvironment: true, ...base },
      opts({ OS_CLOUD: 'appcred' }),
    );
    expect(c.auth.method).toBe('application_credential');
  });

  it('incomplete variables are a config error', () => {
    expect(() =>
      resolveCloud({ id: 'e', fromEnvironment: true, ...base }, opts({})),
    ).toThrow(/OS_AUTH_URL/);
    expect(() =>
      resolveCloud(
        { id: 'e', fromEnvironment: true, ...base },
        opts({ OS_AUTH_URL: 'http://k', OS_USERNAME: 'u', OS_PASSWORD: 'p' }),
      ),
    ).toThrow(/user domain/);
  });
});

describe('inline and several clouds', () => {
  it('resolves several clouds, each with its id; domain ids vs names', () => {
    const clouds = resolveClouds(
      [
        {
          id: 'a',
          auth: {
            url: 'http://a:5000/v3/',
            username: 'u',
            password: 'p',
            userDomain: 'Default',
            projectName: 'x',
            projectDomain: 'default',
          },
          ...base,
        },
        {
          id: 'b',
          auth: { url: 'http://b:5000' },
          applicationCredential: { id: 'i', secret: 's' },
          ...base,
        },
      ],
      opts(),
    );
    expect(clouds.map(c => [c.id, c.auth.method, c.auth.authUrl])).toEqual([
      ['a', 'password', 'http://a:5000/v3'],
      ['b', 'application_credential', 'http://b:5000/v3'],
    ]);
    expect(clouds[0].auth).toMatchObject({
      userDomainName: 'Default',
      projectDomainId: 'default',
    });
  });

  it('the token cache key changes with the scope and the secret, never contains the secret', () => {
    const [c] = resolveClouds(
      [
        {
          id: 'a',
          auth: {
            url: 'http://a/v3',
            username: 'u',
            password: 'topsecret',
            userDomain: 'Default',
            projectId: 'p1',
          },
          ...base,
        },
      ],
      opts(),
    );
    const k1 = credentialKey(c.auth);
    expect(k1).not.toContain('topsecret');
    expect(credentialKey({ ...c.auth, projectId: 'p2' })).not.toBe(k1);
    expect(credentialKey({ ...c.auth, password: 'other' })).not.toBe(k1);
    expect(credentialKey({ ...c.auth })).toBe(k1);
  });
});
