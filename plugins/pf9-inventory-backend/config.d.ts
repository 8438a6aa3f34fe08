export interface Config {
  /** PF9 Ops: the OpenStack clouds and the behaviour of the pf9 backend plugin. */
  pf9?: {
    /** The clouds this portal manages; each id becomes a catalog namespace. */
    clouds?: Array<{
      /** A DNS label (lowercase letters, digits, hyphens), unique among the clouds. */
      id: string;
      /** Inline Keystone v3 password credentials. */
      auth?: {
        url: string;
        username?: string;
        /** @visibility secret */
        password?: string;
        userDomain?: string;
        projectName?: string;
        projectId?: string;
        projectDomain?: string;
      };
      /** Keystone application credential; needs auth.url. */
      applicationCredential?: {
        id: string;
        /** @visibility secret */
        secret: string;
      };
      /** Read the cloud from a clouds.yaml (standard lookup order when file is absent). */
      cloudsYaml?: { file?: string; cloud: string };
      /** Take the cloud from the OS_* environment variables. */
      fromEnvironment?: boolean;
      region?: string;
      /** Endpoint interface from the catalog; default public. */
      interface?: 'public' | 'internal' | 'admin';
      /** PEM bundle to verify the cloud's TLS certificates with. */
      caFile?: string;
      /** Turn TLS verification off (logged as a warning at every start). */
      insecure?: boolean;
    }>;
    /** Role mapping and scope (SPEC §10.1). */
    access?: {
      /** Entity refs (user:/group:) and service subjects (service:<subject>) per role. */
      roles?: {
        viewer?: string[];
        operator?: string[];
        technical?: string[];
        admin?: string[];
        superadmin?: string[];
      };
      /** Limits the members of a group to some domains and projects. */
      scopes?: Array<{
        group: string;
        domainIds?: string[];
        projectIds?: string[];
      }>;
    };
    /** Inventory sync (SPEC §1.1–1.6). */
    inventory?: {
      schedule?: {
        /** A cron expression (`{cron: '0 * * * *'}`) or a duration; default hourly. */
        frequency?:
          | { cron: string }
          | {
              weeks?: number;
              days?: number;
              hours?: number;
              minutes?: number;
              seconds?: number;
              milliseconds?: number;
            };
        /** Longest a sync may run; default 30 minutes. A run still running after twice this is interrupted. */
        timeout?: {
          weeks?: number;
          days?: number;
          hours?: number;
          minutes?: number;
          seconds?: number;
          milliseconds?: number;
        };
        /** Delay of the first scheduled sync after start-up; default 1 minute. */
        initialDelay?: {
          weeks?: number;
          days?: number;
          hours?: number;
          minutes?: number;
          seconds?: number;
          milliseconds?: number;
        };
      };
      /** Mass-deletion guard (INV-21): max(minCount, fraction × previous count); defaults 10 and 0.2. */
      deletionGuard?: { minCount?: number; fraction?: number };
      /** Direct GET checks of deletion candidates per type and run (INV-19); default 500. */
      verifyLimit?: number;
      /** Days versions and deletion records are kept (INV-18); a resource's latest version always is; default 400. */
      historyRetentionDays?: number;
    };
    /** RVTools-style exports (SPEC §1.7). */
    export?: {
      /** Days a file and its row are kept; default 7. */
      retentionDays?: number;
      /** Directory the files are written to; default `<os tmpdir>/pf9-exports`. Share it between replicas. */
      directory?: string;
      /** The scheduled unmasked XLSX export of every cloud's latest run. */
      schedule?: {
        /** Default true. */
        enabled?: boolean;
        /** A cron expression or a duration; default `{cron: '0 2 * * *'}` (daily 02:00 UTC). */
        frequency?:
          | { cron: string }
          | {
              weeks?: number;
              days?: number;
              hours?: number;
              minutes?: number;
              seconds?: number;
              milliseconds?: number;
            };
        /** Longest one scheduled export may run; default 30 minutes. */
        timeout?: {
          weeks?: number;
          days?: number;
          hours?: number;
          minutes?: number;
          seconds?: number;
          milliseconds?: number;
        };
      };
    };
    /** Snapshot automation and compliance (SPEC §2). */
    snapshots?: {
      /** Run the scheduled cycle and compliance evaluation; default true. */
      enabled?: boolean;
      /** Minutes between scheduled cycles, 5–1440; default 30. */
      intervalMinutes?: number;
      /** Longest a cycle may run; default 30 minutes. A run still running after twice this is failed. */
      timeout?: {
        weeks?: number;
        days?: number;
        hours?: number;
        minutes?: number;
        seconds?: number;
        milliseconds?: number;
      };
      /** Minutes between scheduled compliance evaluations; default 15. */
      complianceIntervalMinutes?: number;
      /** How snapshots are created in each volume's project (SNAP-18); default `projectScopedAdmin`. */
      credentials?:
        | { mode: 'projectScopedAdmin' }
        | {
            mode: 'serviceUser';
            /** An existing user; the product never creates it. */
            username: string;
            /** @visibility secret */
            password: string;
            /** The user's domain, by id or by name. */
            domainId?: string;
            domainName?: string;
            /** SNAP-19: grant the role on each target project when missing; default enabled, `member`. */
            autoGrant?: {
              enabled?: boolean;
              role?: string;
              /** Needed to grant `admin`. */
              allowAdminRole?: boolean;
            };
            /** Revoke our grants on projects without a protected volume for this many days. */
            revokeUnusedAfterDays?: number;
          };
      /** New snapshots per run; the rest is deferred. Default 200. */
      maxNewPerRun?: number;
      /** Larger volumes are skipped (260 on Platform9 releases that answer 413 for large snapshots). */
      maxVolumeSizeGb?: number;
      /** SNAP-23: volumes per batch (default 20) and seconds between batches (default 5). */
      batchSize?: number;
      batchDelaySeconds?: number;
      /**
       * SNAP-22: when quota blocks a pair that already holds its full retention count, delete its oldest
       * managed snapshot (never the newest, never `keep=true`) and then create. Default false.
       */
      rotateBeforeCreateWhenQuotaBlocked?: boolean;
      /** SNAP-10: the assignment job (rules, manual assignments, exclusions). */
      assignments?: {
        /** Minutes between runs, 5–1440; default 60. */
        intervalMinutes?: number;
        /** Write rule and manual results to the volume metadata; default true. */
        writeMetadata?: boolean;
        /** Treat unmarked owner metadata as rule-managed (one-time migration); default false. */
        adoptUnmarkedMetadata?: boolean;
      };
    };
    /** VM restore (SPEC §3). */
    restore?: {
      /** Default false: every restore route but GET /restore/config answers 503 (RST-1). */
      enabled?: boolean;
      /** Minutes a plan stays executable; default 60. */
      planTtlMinutes?: number;
      /** Jobs running at once; default 3. */
      maxConcurrentJobs?: number;
      /** Jobs running at once per project; default 2. */
      maxJobsPerProject?: number;
      /** Stop the original before a replace (RST-12 step 4); default true. */
      stopOriginal?: boolean;
      /** Keep volumes the job created when it fails; default false. */
      keepVolumesOnFailure?: boolean;
      /** Days safety snapshots are kept; default 7. */
      safetySnapshotRetentionDays?: number;
      /**
       * AES-256-GCM key for user_data at rest: 32 bytes as base64 or 64 hex digits; required when enabled.
       * @visibility secret
       */
      userDataKey?: string;
      /** Seconds between worker heartbeats; default 15. */
      heartbeatSeconds?: number;
      /** A job whose heartbeat is older than this is resumed by another worker; default 120. */
      staleAfterSeconds?: number;
    };
    /** The Prometheus endpoint /api/pf9/metrics (SPEC MON-6). */
    monitoring?: {
      /**
       * Static bearer token scrapers send; required unless allowAnonymousScrape is true.
       * @visibility secret
       */
      metricsToken?: string;
      /** Skip the token check; for trusted networks only. */
      allowAnonymousScrape?: boolean;
    };
  };
}
