import { Config } from '@backstage/config';
import { isPf9Role, PF9_ROLES, Pf9Role } from '@internal/plugin-pf9-common';
import { z } from 'zod';

const dnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'must be a DNS label: lowercase letters, digits and hyphens, at most 63',
  );

const entityOrServiceRef = z
  .string()
  .regex(
    /^(user|group):[^:/]+\/[^:/]+$|^service:.+$/,
    'must be user:<namespace>/<name>, group:<namespace>/<name> or service:<subject>',
  );

const cloudSchema = z
  .object({
    id: dnsLabel,
    auth: z
      .object({
        url: z.string().url(),
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
        userDomain: z.string().min(1).optional(),
        projectName: z.string().min(1).optional(),
        projectId: z.string().min(1).optional(),
        projectDomain: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    applicationCredential: z
      .object({ id: z.string().min(1), secret: z.string().min(1) })
      .strict()
      .optional(),
    cloudsYaml: z
      .object({ file: z.string().min(1).optional(), cloud: z.string().min(1) })
      .strict()
      .optional(),
    fromEnvironment: z.boolean().optional(),
    region: z.string().min(1).optional(),
    interface: z.enum(['public', 'internal', 'admin']).default('public'),
    caFile: z.string().min(1).optional(),
    /** The cloud's dashboard, for links from catalog entities. */
    dashboardUrl: z.string().url().optional(),
    insecure: z.boolean().default(false),
  })
  .strict()
  .superRefine((cloud, ctx) => {
    const sources = [
      cloud.auth,
      cloud.cloudsYaml,
      cloud.fromEnvironment || undefined,
    ].filter(Boolean);
    if (sources.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'needs exactly one of auth, cloudsYaml or fromEnvironment',
      });
    }
    if (cloud.applicationCredential && !cloud.auth) {
      ctx.addIssue({
        code: 'custom',
        path: ['applicationCredential'],
        message: 'needs auth.url',
      });
    }
    if (cloud.auth && !cloud.applicationCredential) {
      for (const key of ['username', 'password'] as const) {
        if (!cloud.auth[key]) {
          ctx.addIssue({
            code: 'custom',
            path: ['auth', key],
            message: 'is required for password authentication',
          });
        }
      }
    }
  });

export interface DurationConfig {
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
}

const durationSchema = z
  .object({
    weeks: z.number().nonnegative().optional(),
    days: z.number().nonnegative().optional(),
    hours: z.number().nonnegative().optional(),
    minutes: z.number().nonnegative().optional(),
    seconds: z.number().nonnegative().optional(),
    milliseconds: z.number().nonnegative().optional(),
  })
  .strict()
  .refine((d: DurationConfig) => durationMs(d) > 0, {
    message: 'must be a positive duration',
  });

const DURATION_MS: Record<keyof DurationConfig, number> = {
  weeks: 604_800_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1000,
  milliseconds: 1,
};

/** A HumanDuration-style object in milliseconds. */
export function durationMs(d: DurationConfig): number {
  return (Object.keys(DURATION_MS) as Array<keyof DurationConfig>).reduce(
    (ms, unit) => ms + (d[unit] ?? 0) * DURATION_MS[unit],
    0,
  );
}

const inventorySchema = z
  .object({
    schedule: z
      .object({
        /** a cron expression or a duration; default hourly (INV-1) */
        frequency: z
          .union([
            z.object({ cron: z.string().min(9) }).strict(),
            durationSchema,
          ])
          .default({ hours: 1 }),
        timeout: durationSchema.default({ minutes: 30 }),
        initialDelay: durationSchema.default({ minutes: 1 }),
      })
      .strict()
      .default({
        frequency: { hours: 1 },
        timeout: { minutes: 30 },
        initialDelay: { minutes: 1 },
      }),
    /** INV-21: a type's deletions above max(minCount, fraction × previous count) are held back */
    deletionGuard: z
      .object({
        minCount: z.number().int().nonnegative().default(10),
        fraction: z.number().min(0).max(1).default(0.2),
      })
      .strict()
      .default({ minCount: 10, fraction: 0.2 }),
    /** INV-19: GET checks per type and run */
    verifyLimit: z.number().int().nonnegative().default(500),
    /** INV-18: versions and deletion records older than this are pruned (a latest version never is) */
    historyRetentionDays: z.number().int().min(1).max(36500).default(400),
  })
  .strict();

export type InventoryConfig = z.infer<typeof inventorySchema>;

const exportSchema = z
  .object({
    /** EXP-1: files (and their rows) are kept this many days */
    retentionDays: z.number().int().min(1).max(3650).default(7),
    /** where files are written; default `<os tmpdir>/pf9-exports` (share it between replicas) */
    directory: z.string().min(1).optional(),
    /** EXP-1: the scheduled export of every cloud (unmasked XLSX of the latest run) */
    schedule: z
      .object({
        enabled: z.boolean().default(true),
        frequency: z
          .union([
            z.object({ cron: z.string().min(9) }).strict(),
            durationSchema,
          ])
          .default({ cron: '0 2 * * *' }),
        timeout: durationSchema.default({ minutes: 30 }),
      })
      .strict()
      .default({
        enabled: true,
        frequency: { cron: '0 2 * * *' },
        timeout: { minutes: 30 },
      }),
  })
  .strict();

export type ExportConfig = z.infer<typeof exportSchema>;

const EXPORT_DEFAULTS: ExportConfig = {
  retentionDays: 7,
  schedule: {
    enabled: true,
    frequency: { cron: '0 2 * * *' },
    timeout: { minutes: 30 },
  },
};

const INVENTORY_DEFAULTS: InventoryConfig = {
  schedule: {
    frequency: { hours: 1 },
    timeout: { minutes: 30 },
    initialDelay: { minutes: 1 },
  },
  deletionGuard: { minCount: 10, fraction: 0.2 },
  verifyLimit: 500,
  historyRetentionDays: 400,
};

/** Types that change too often to mirror as entities (SPEC INV-23), and the two that are always emitted. */
const CATALOG_EXCLUDED_TYPES = [
  'port',
  'volume_snapshot',
  'security_group_rule',
  'domain',
  'project',
];

const catalogSchema = z
  .object({
    types: z
      .array(z.string().min(1))
      .superRefine((types, ctx) => {
        types.forEach((type, index) => {
          if (CATALOG_EXCLUDED_TYPES.includes(type)) {
            ctx.addIssue({
              code: 'custom',
              path: [index],
              message: `'${type}' cannot be listed: ports, snapshots and rules are never emitted, domains and projects always are`,
            });
          }
        });
      })
      .default(['server', 'volume', 'network']),
    owners: z
      .array(
        z
          .object({
            domainId: z.string().min(1).optional(),
            projectId: z.string().min(1).optional(),
            group: entityOrServiceRef,
          })
          .strict()
          .refine(
            owner => Boolean(owner.domainId) !== Boolean(owner.projectId),
            {
              message: 'needs exactly one of domainId or projectId',
            },
          ),
      )
      .default([]),
    defaultOwner: entityOrServiceRef.default('group:default/pf9-operators'),
    frequency: durationSchema.default({ minutes: 2 }),
  })
  .strict();

export type CatalogConfig = z.infer<typeof catalogSchema>;

/** SNAP-18/19: `serviceUser` (an existing user, granted a role per project) or `projectScopedAdmin`. */
const snapshotCredentialsSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('projectScopedAdmin') }).strict(),
  z
    .object({
      mode: z.literal('serviceUser'),
      username: z.string().min(1),
      password: z.string().min(1),
      /** the user's domain: by id or by name */
      domainId: z.string().min(1).optional(),
      domainName: z.string().min(1).optional(),
      autoGrant: z
        .object({
          enabled: z.boolean().default(true),
          role: z.string().min(1).default('member'),
          /** `admin` is granted only with this set */
          allowAdminRole: z.boolean().default(false),
        })
        .strict()
        .default({ enabled: true, role: 'member', allowAdminRole: false }),
      /** revoke our grants on projects without a protected volume for this long */
      revokeUnusedAfterDays: z.number().int().min(1).optional(),
    })
    .strict()
    .superRefine((user, ctx) => {
      if (!user.domainId && !user.domainName) {
        ctx.addIssue({
          code: 'custom',
          path: ['domainId'],
          message: 'needs domainId or domainName',
        });
      }
      if (
        user.autoGrant.role.toLowerCase() === 'admin' &&
        !user.autoGrant.allowAdminRole
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['autoGrant', 'role'],
          message: 'admin is granted only with autoGrant.allowAdminRole: true',
        });
      }
    }),
]);

export type SnapshotCredentialsConfig = z.infer<
  typeof snapshotCredentialsSchema
>;

const snapshotsSchema = z
  .object({
    /** the scheduled cycle and compliance evaluation; on-demand runs work either way */
    enabled: z.boolean().default(true),
    /** SNAP-4: minutes between scheduled cycles, 5–1440 */
    intervalMinutes: z.number().int().min(5).max(1440).default(30),
    /** a run still running after twice this is failed as interrupted (SNAP-24) */
    timeout: durationSchema.default({ minutes: 30 }),
    /** CMP-3: minutes between scheduled compliance evaluations */
    complianceIntervalMinutes: z.number().int().min(1).max(1440).default(15),
    /** SNAP-18: how snapshots are created in each volume's project */
    credentials: snapshotCredentialsSchema.default({
      mode: 'projectScopedAdmin',
    }),
    /** SNAP-16 */
    maxNewPerRun: z.number().int().min(1).default(200),
    maxVolumeSizeGb: z.number().int().min(1).optional(),
    /** SNAP-23: volumes per batch and the pause between batches */
    batchSize: z.number().int().min(1).max(10_000).default(20),
    batchDelaySeconds: z.number().min(0).max(3600).default(5),
    /** SNAP-22: delete the oldest of a full pair's snapshots when quota blocks its create */
    rotateBeforeCreateWhenQuotaBlocked: z.boolean().default(false),
    /** SNAP-10: the assignment job */
    assignments: z
      .object({
        intervalMinutes: z.number().int().min(5).max(1440).default(60),
        writeMetadata: z.boolean().default(true),
        adoptUnmarkedMetadata: z.boolean().default(false),
      })
      .strict()
      .default({
        intervalMinutes: 60,
        writeMetadata: true,
        adoptUnmarkedMetadata: false,
      }),
  })
  .strict();

export type SnapshotsConfig = z.infer<typeof snapshotsSchema>;

const SNAPSHOTS_DEFAULTS: SnapshotsConfig = {
  enabled: true,
  intervalMinutes: 30,
  timeout: { minutes: 30 },
  complianceIntervalMinutes: 15,
  credentials: { mode: 'projectScopedAdmin' },
  maxNewPerRun: 200,
  batchSize: 20,
  batchDelaySeconds: 5,
  rotateBeforeCreateWhenQuotaBlocked: false,
  assignments: {
    intervalMinutes: 60,
    writeMetadata: true,
    adoptUnmarkedMetadata: false,
  },
};

/** RST-9: 32 bytes for AES-256-GCM, as base64 or 64 hex digits. */
export function parseUserDataKey(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return null;
  const key = Buffer.from(value, 'base64');
  return key.length === 32 ? key : null;
}

/** The key app-config.yaml uses for the simulated demo cloud; refused in production. */
const DEMO_USER_DATA_KEY = 'de'.repeat(32);

const restoreSchema = z
  .object({
    /** RST-1: every restore route but GET /config answers 503 while false */
    enabled: z.boolean().default(false),
    planTtlMinutes: z.number().int().min(1).max(1440).default(60),
    maxConcurrentJobs: z.number().int().min(1).default(3),
    maxJobsPerProject: z.number().int().min(1).default(2),
    stopOriginal: z.boolean().default(true),
    keepVolumesOnFailure: z.boolean().default(false),
    safetySnapshotRetentionDays: z.number().int().min(1).default(7),
    /** encrypts user_data at rest (RST-9) */
    userDataKey: z
      .string()
      .refine(
        v => parseUserDataKey(v) !== null,
        'must be 32 bytes as base64 or 64 hex digits',
      )
      .optional(),
    heartbeatSeconds: z.number().int().min(1).default(15),
    staleAfterSeconds: z.number().int().min(10).default(120),
  })
  .strict()
  .superRefine((restore, ctx) => {
    if (restore.enabled && !restore.userDataKey) {
      ctx.addIssue({
        code: 'custom',
        path: ['userDataKey'],
        message: 'is required when restore is enabled',
      });
    }
    // app-config.yaml's published demo key would otherwise reach production through config layering
    if (
      restore.enabled &&
      restore.userDataKey === DEMO_USER_DATA_KEY &&
      process.env.NODE_ENV === 'production'
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['userDataKey'],
        message:
          'is the published demo key of app-config.yaml; set your own (PF9_RESTORE_USER_DATA_KEY)',
      });
    }
  });

export type RestoreConfig = z.infer<typeof restoreSchema>;

const RESTORE_DEFAULTS: RestoreConfig = {
  enabled: false,
  planTtlMinutes: 60,
  maxConcurrentJobs: 3,
  maxJobsPerProject: 2,
  stopOriginal: true,
  keepVolumesOnFailure: false,
  safetySnapshotRetentionDays: 7,
  heartbeatSeconds: 15,
  staleAfterSeconds: 120,
};

const monitoringSchema = z
  .object({
    metricsToken: z
      .string()
      .min(16, 'must be at least 16 characters')
      .optional(),
    allowAnonymousScrape: z.boolean().default(false),
  })
  .strict()
  .superRefine((monitoring, ctx) => {
    if (!monitoring.metricsToken && !monitoring.allowAnonymousScrape) {
      ctx.addIssue({
        code: 'custom',
        path: ['metricsToken'],
        message: 'is required unless allowAnonymousScrape is true',
      });
    }
  });

export type MonitoringConfig = z.infer<typeof monitoringSchema>;

const pf9ConfigSchema = z
  .object({
    clouds: z
      .array(cloudSchema)
      .default([])
      .superRefine((clouds, ctx) => {
        const seen = new Set<string>();
        clouds.forEach((cloud, index) => {
          if (seen.has(cloud.id)) {
            ctx.addIssue({
              code: 'custom',
              path: [index, 'id'],
              message: `duplicates cloud id '${cloud.id}'`,
            });
          }
          seen.add(cloud.id);
        });
      }),
    access: z
      .object({
        roles: z
          .record(z.string(), z.array(entityOrServiceRef))
          .default({})
          .superRefine((roles, ctx) => {
            for (const role of Object.keys(roles)) {
              if (!isPf9Role(role)) {
                ctx.addIssue({
                  code: 'custom',
                  path: [role],
                  message: `is not a role; roles are ${PF9_ROLES.join(', ')}`,
                });
              }
            }
          }),
        scopes: z
          .array(
            z
              .object({
                group: entityOrServiceRef,
                domainIds: z.array(z.string().min(1)).default([]),
                projectIds: z.array(z.string().min(1)).default([]),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({ roles: {}, scopes: [] }),
    inventory: inventorySchema.default(INVENTORY_DEFAULTS),
    export: exportSchema.default(EXPORT_DEFAULTS),
    catalog: catalogSchema.default({
      types: ['server', 'volume', 'network'],
      owners: [],
      defaultOwner: 'group:default/pf9-operators',
      frequency: { minutes: 2 },
    }),
    snapshots: snapshotsSchema.default(SNAPSHOTS_DEFAULTS),
    restore: restoreSchema.default(RESTORE_DEFAULTS),
    // Without a monitoring section the metrics route answers 401 to everyone.
    monitoring: monitoringSchema.optional(),
  })
  .passthrough();

export type CloudConfig = z.infer<typeof cloudSchema>;

export interface AccessConfig {
  roles: Partial<Record<Pf9Role, string[]>>;
  scopes: Array<{ group: string; domainIds: string[]; projectIds: string[] }>;
}

export interface Pf9Config {
  clouds: CloudConfig[];
  access: AccessConfig;
  inventory: InventoryConfig;
  export: ExportConfig;
  monitoring?: MonitoringConfig;
  catalog: CatalogConfig;
  snapshots: SnapshotsConfig;
  restore: RestoreConfig;
}

/** Thrown at start-up for a bad `pf9` config value; the message names the key. */
export class Pf9ConfigError extends Error {
  constructor(readonly key: string, problem: string) {
    super(`Invalid config at '${key}': ${problem}`);
    this.name = 'Pf9ConfigError';
  }
}

function keyOf(path: PropertyKey[]): string {
  return path.reduce<string>(
    (key, part) =>
      typeof part === 'number' ? `${key}[${part}]` : `${key}.${String(part)}`,
    'pf9',
  );
}

/** Reads and validates the `pf9` key; the first problem found stops the plugin with its key named. */
export function readPf9Config(config: Config): Pf9Config {
  const raw = config.getOptional('pf9') ?? {};
  const parsed = pf9ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Pf9ConfigError(keyOf(issue.path), issue.message);
  }
  return {
    clouds: parsed.data.clouds,
    access: parsed.data.access as AccessConfig,
    inventory: parsed.data.inventory,
    export: parsed.data.export,
    monitoring: parsed.data.monitoring,
    catalog: parsed.data.catalog,
    snapshots: parsed.data.snapshots,
    restore: parsed.data.restore,
  };
}
