import { ConfigReader } from '@backstage/config';
import { readPf9Config } from './config';

const validCloud = {
  id: 'demo',
  auth: { url: 'http://127.0.0.1:5000/v3', username: 'admin', password: 'x' },
};

const inventoryDefaults = {
  schedule: {
    frequency: { hours: 1 },
    timeout: { minutes: 30 },
    initialDelay: { minutes: 1 },
  },
  deletionGuard: { minCount: 10, fraction: 0.2 },
  verifyLimit: 500,
  historyRetentionDays: 400,
};

function read(pf9: unknown) {
  return () => readPf9Config(new ConfigReader({ pf9 } as any));
}

describe('readPf9Config', () => {
  it('accepts a valid config and applies defaults', () => {
    const config = readPf9Config(
      new ConfigReader({
        pf9: {
          clouds: [validCloud],
          access: { roles: { viewer: ['group:default/ops'] } },
        },
      }),
    );
    expect(config.clouds).toEqual([
      { ...validCloud, interface: 'public', insecure: false },
    ]);
    expect(config.access).toEqual({
      roles: { viewer: ['group:default/ops'] },
      scopes: [],
    });
    expect(config.inventory).toEqual(inventoryDefaults);
  });

  it('reads an inventory schedule with a cron frequency', () => {
    const config = readPf9Config(
      new ConfigReader({
        pf9: {
          inventory: {
            schedule: {
              frequency: { cron: '*/15 * * * *' },
              timeout: { minutes: 5 },
            },
            deletionGuard: { minCount: 3 },
          },
        },
      }),
    );
    expect(config.inventory.schedule).toEqual({
      frequency: { cron: '*/15 * * * *' },
      timeout: { minutes: 5 },
      initialDelay: { minutes: 1 },
    });
    expect(config.inventory.deletionGuard).toEqual({
      minCount: 3,
      fraction: 0.2,
    });
  });

  it('accepts a config without a pf9 key', () => {
    expect(readPf9Config(new ConfigReader({}))).toEqual({
      clouds: [],
      access: { roles: {}, scopes: [] },
      inventory: inventoryDefaults,
      export: {
        retentionDays: 7,
        schedule: {
          enabled: true,
          frequency: { cron: '0 2 * * *' },
          timeout: { minutes: 30 },
        },
      },
      catalog: {
        types: ['server', 'volume', 'network'],
        owners: [],
        defaultOwner: 'group:default/pf9-operators',
        frequency: { minutes: 2 },
      },
      snapshots: {
        enabled: true,
        intervalMinutes: 30,
        timeout: { minutes: 30 },
        complianceIntervalMinutes: 15,
        credentials: { mode: 'projectScopedAdmin' },
        maxNewPerRun: 200,
        rotateBeforeCreateWhenQuotaBlocked: false,
        batchSize: 20,
        batchDelaySeconds: 5,
        assignments: {
          intervalMinutes: 60,
          writeMetadata: true,
          adoptUnmarkedMetadata: false,
        },
      },
      restore: {
        enabled: false,
        planTtlMinutes: 60,
        maxConcurrentJobs: 3,
        maxJobsPerProject: 2,
        stopOriginal: true,
        keepVolumesOnFailure: false,
        safetySnapshotRetentionDays: 7,
        heartbeatSeconds: 15,
        staleAfterSeconds: 120,
      },
    });
  });

  it.each([
    [{ restore: { enabled: true } }, 'pf9.restore.userDataKey'],
    [
      { restore: { enabled: true, userDataKey: 'c2hvcnQ=' } },
      'pf9.restore.userDataKey',
    ],
    [{ restore: { userDataKey: 'z'.repeat(64) } }, 'pf9.restore.userDataKey'],
    [{ restore: { planTtlMinutes: 0 } }, 'pf9.restore.planTtlMinutes'],
  ])('rejects restore settings %j naming %s', (pf9, key) => {
    expect(() => readPf9Config(new ConfigReader({ pf9 }))).toThrow(key);
  });

  it('refuses the demo key of app-config.yaml in production only', () => {
    const pf9 = { restore: { enabled: true, userDataKey: 'de'.repeat(32) } };
    const env = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = 'production';
      expect(() => readPf9Config(new ConfigReader({ pf9 }))).toThrow(
        'pf9.restore.userDataKey',
      );
      process.env.NODE_ENV = 'development';
      expect(readPf9Config(new ConfigReader({ pf9 })).restore.enabled).toBe(
        true,
      );
    } finally {
      process.env.NODE_ENV = env;
    }
  });

  it('accepts a restore key as 64 hex digits or 32 bytes of base64', () => {
    const hex = 'ab'.repeat(32);
    const base64 = Buffer.alloc(32, 7).toString('base64');
    for (const userDataKey of [hex, base64]) {
      const config = readPf9Config(
        new ConfigReader({ pf9: { restore: { enabled: true, userDataKey } } }),
      );
      expect(config.restore).toMatchObject({ enabled: true, userDataKey });
    }
  });

  it.each([
    [{ snapshots: { intervalMinutes: 4 } }, 'pf9.snapshots.intervalMinutes'],
    [{ snapshots: { intervalMinutes: 1441 } }, 'pf9.snapshots.intervalMinutes'],
    [
      { snapshots: { credentials: { mode: 'serviceUser' } } },
      'pf9.snapshots.credentials.username',
    ],
    [
      { snapshots: { credentials: { mode: 'someoneElse' } } },
      'pf9.snapshots.credentials.mode',
    ],
    [
      {
        snapshots: {
          credentials: { mode: 'serviceUser', username: 'svc', password: 'x' },
        },
      },
      'pf9.snapshots.credentials.domainId',
    ],
    [
      {
        snapshots: {
          credentials: {
            mode: 'serviceUser',
            username: 'svc',
            password: 'x',
            domainName: 'Default',
            autoGrant: { role: 'admin' },
          },
        },
      },
      'pf9.snapshots.credentials.autoGrant.role',
    ],
    [{ snapshots: { batchSize: 0 } }, 'pf9.snapshots.batchSize'],
    [
      { snapshots: { assignments: { intervalMinutes: 2 } } },
      'pf9.snapshots.assignments.intervalMinutes',
    ],
  ])('rejects snapshot settings %j naming %s', (pf9, key) => {
    expect(() => readPf9Config(new ConfigReader({ pf9 }))).toThrow(key);
  });

  it.each([
    [
      'a cloud id that is not a DNS label',
      { clouds: [{ ...validCloud, id: 'Demo Cloud' }] },
      "Invalid config at 'pf9.clouds[0].id': must be a DNS label",
    ],
    [
      'a duplicate cloud id',
      { clouds: [validCloud, validCloud] },
      "Invalid config at 'pf9.clouds[1].id': duplicates cloud id 'demo'",
    ],
    [
      'a cloud without a credential source',
      { clouds: [{ id: 'demo' }] },
      "Invalid config at 'pf9.clouds[0]': needs exactly one of auth, cloudsYaml or fromEnvironment",
    ],
    [
      'password auth without a password',
      {
        clouds: [
          { id: 'demo', auth: { url: 'http://k:5000/v3', username: 'a' } },
        ],
      },
      "Invalid config at 'pf9.clouds[0].auth.password': is required for password authentication",
    ],
    [
      'an unknown interface',
      { clouds: [{ ...validCloud, interface: 'private' }] },
      "Invalid config at 'pf9.clouds[0].interface'",
    ],
    [
      'an unknown key in a cloud',
      { clouds: [{ ...validCloud, pasword: 'typo' }] },
      "Invalid config at 'pf9.clouds[0]'",
    ],
    [
      'a metrics section without a token or anonymous scraping',
      { monitoring: {} },
      "Invalid config at 'pf9.monitoring.metricsToken': is required unless allowAnonymousScrape is true",
    ],
    [
      'a short metrics token',
      { monitoring: { metricsToken: 'short' } },
      "Invalid config at 'pf9.monitoring.metricsToken': must be at least 16 characters",
    ],
    [
      'a high-churn type in the catalog',
      { catalog: { types: ['server', 'port'] } },
      "Invalid config at 'pf9.catalog.types[1]': 'port' cannot be listed",
    ],
    [
      'a catalog owner for both a domain and a project',
      {
        catalog: {
          owners: [{ domainId: 'd', projectId: 'p', group: 'group:default/x' }],
        },
      },
      "Invalid config at 'pf9.catalog.owners[0]': needs exactly one of domainId or projectId",
    ],
    [
      'an unknown role',
      { access: { roles: { owner: ['user:default/a'] } } },
      "Invalid config at 'pf9.access.roles.owner': is not a role",
    ],
    [
      'a role member that is not a ref',
      { access: { roles: { admin: ['alice'] } } },
      "Invalid config at 'pf9.access.roles.admin[0]': must be user:<namespace>/<name>",
    ],
    [
      'a zero inventory timeout',
      { inventory: { schedule: { timeout: { minutes: 0 } } } },
      "Invalid config at 'pf9.inventory.schedule.timeout': must be a positive duration",
    ],
    [
      'an unknown unit in the inventory frequency',
      { inventory: { schedule: { frequency: { hourz: 1 } } } },
      "Invalid config at 'pf9.inventory.schedule.frequency'",
    ],
    [
      'a deletion guard fraction above 1',
      { inventory: { deletionGuard: { fraction: 1.5 } } },
      "Invalid config at 'pf9.inventory.deletionGuard.fraction'",
    ],
    [
      'an unknown inventory key',
      { inventory: { schedul: {} } },
      "Invalid config at 'pf9.inventory'",
    ],
  ])('names the key for %s', (_what, pf9, message) => {
    expect(read(pf9)).toThrow(message);
  });
});
