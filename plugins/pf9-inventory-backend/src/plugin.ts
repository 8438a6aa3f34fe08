import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createConditionTransformer } from '@backstage/plugin-permission-node';
import { pf9PermissionList } from '@internal/plugin-pf9-common';
import os from 'os';
import path from 'path';
import { complianceMetricFamilies } from './compliance/metrics';
import { scheduleCompliance } from './compliance/scheduler';
import { ComplianceService } from './compliance/service';
import { durationMs, readPf9Config } from './config';
import { scheduleExports } from './export/scheduler';
import { ExportService } from './export/service';
import { InventorySyncEngine } from './inventory/engine';
import { inventoryMetricFamilies } from './inventory/metrics';
import { GuardedBatches } from './inventory/guardedBatches';
import { InventoryHistory } from './inventory/history';
import { InventoryQueries } from './inventory/query';
import { JobRunner } from './jobs/runner';
import { scheduleHistoryPruning } from './inventory/retention';
import { loadScopedResources } from './inventory/scopedResources';
import { scheduleInventorySync } from './inventory/scheduler';
import { RouteAuthorizer } from './permissions/authorizer';
import { scopedResourceRef, scopeRules } from './permissions/rules';
import { buildInfoFamily } from './metrics/buildInfo';
import { createMetricsRouter } from './metrics/router';
import { createRestoreArea } from './restore';
import { scheduleSafetySnapshotPruning } from './restore/housekeeping';
import { createRouter } from './router';
import { SnapshotCycleEngine } from './snapshots/cycle';
import { snapshotMetricFamilies } from './snapshots/metrics';
import { PolicyStore } from './snapshots/policies';
import {
  scheduleAssignmentJobs,
  scheduleSnapshotCycles,
} from './snapshots/scheduler';
import { AssignmentJob } from './snapshots/assignmentJob';
import { SnapshotPipeline } from './snapshots/pipeline';
import { AuditLog } from './store/audit';
import { databaseKind, migrateStore } from './store/migrate';
import { version } from '../package.json';

/** The pf9 backend plugin: wiring only; the areas hold the logic. */
export const pf9Plugin = createBackendPlugin({
  pluginId: 'pf9',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        userInfo: coreServices.userInfo,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
      },
      async init(deps) {
        const pf9Config = readPf9Config(deps.config);
        for (const cloud of pf9Config.clouds.filter(c => c.insecure)) {
          deps.logger.warn(
            `TLS verification is off for cloud '${cloud.id}' (pf9.clouds insecure: true)`,
          );
        }
        const db = await migrateStore(deps.database);

        deps.permissionsRegistry.addResourceType({
          resourceRef: scopedResourceRef,
          permissions: pf9PermissionList,
          rules: scopeRules,
          getResources: refs => loadScopedResources(db, refs),
        });
        const audit = new AuditLog(db, deps.auditor);
        const authorizer = new RouteAuthorizer({
          auth: deps.auth,
          httpAuth: deps.httpAuth,
          permissions: deps.permissions,
          access: pf9Config.access,
          audit,
          toScopeFilter: createConditionTransformer(
            deps.permissionsRegistry.getPermissionRuleset(scopedResourceRef),
          ),
        });

        const inventoryEngine = new InventorySyncEngine({
          db,
          clouds: pf9Config.clouds,
          logger: deps.logger.child({ area: 'inventory' }),
          audit,
          settings: {
            timeoutMs: durationMs(pf9Config.inventory.schedule.timeout),
            guard: pf9Config.inventory.deletionGuard,
            verifyLimit: pf9Config.inventory.verifyLimit,
          },
        });
        await scheduleInventorySync({
          scheduler: deps.scheduler,
          engine: inventoryEngine,
          config: pf9Config.inventory,
          logger: deps.logger,
        });

        await scheduleHistoryPruning({
          scheduler: deps.scheduler,
          db,
          retentionDays: pf9Config.inventory.historyRetentionDays,
          logger: deps.logger.child({ area: 'inventory' }),
        });

        const exportService = new ExportService({
          db,
          logger: deps.logger.child({ area: 'export' }),
          clouds: pf9Config.clouds,
          directory:
            pf9Config.export.directory ?? path.join(os.tmpdir(), 'pf9-exports'),
          retentionDays: pf9Config.export.retentionDays,
          productVersion: version,
        });
        await scheduleExports({
          scheduler: deps.scheduler,
          service: exportService,
          config: pf9Config.export,
          audit,
          logger: deps.logger,
        });

        const compliance = new ComplianceService({
          db,
          clouds: pf9Config.clouds,
          logger: deps.logger.child({ area: 'compliance' }),
          adoptUnmarkedMetadata:
            pf9Config.snapshots.assignments.adoptUnmarkedMetadata,
        });
        const assignmentJob = new AssignmentJob({
          db,
          clouds: pf9Config.clouds,
          logger: deps.logger.child({ area: 'snapshots' }),
          settings: pf9Config.snapshots.assignments,
        });
        await scheduleAssignmentJobs({
          scheduler: deps.scheduler,
          job: assignmentJob,
          cloudIds: pf9Config.clouds.map(cloud => cloud.id),
          config: pf9Config.snapshots,
          logger: deps.logger,
        });
        const snapshotEngine = new SnapshotCycleEngine({
          db,
          clouds: pf9Config.clouds,
          logger: deps.logger.child({ area: 'snapshots' }),
          settings: {
            timeoutMs: durationMs(pf9Config.snapshots.timeout),
            maxNewPerRun: pf9Config.snapshots.maxNewPerRun,
            maxVolumeSizeGb: pf9Config.snapshots.maxVolumeSizeGb,
            adoptUnmarkedMetadata:
              pf9Config.snapshots.assignments.adoptUnmarkedMetadata,
            credentials: pf9Config.snapshots.credentials,
            batchSize: pf9Config.snapshots.batchSize,
            batchDelayMs: pf9Config.snapshots.batchDelaySeconds * 1000,
            rotateBeforeCreateWhenQuotaBlocked:
              pf9Config.snapshots.rotateBeforeCreateWhenQuotaBlocked,
          },
          // CMP-3: compliance is evaluated after every cycle
          onFinished: async run => {
            await compliance.evaluate(run.cloudId, `snapshot_run:${run.id}`);
          },
        });
        await scheduleSnapshotCycles({
          scheduler: deps.scheduler,
          engine: snapshotEngine,
          config: pf9Config.snapshots,
          logger: deps.logger,
        });
        await scheduleCompliance({
          scheduler: deps.scheduler,
          compliance,
          config: pf9Config.snapshots,
          logger: deps.logger,
        });

        // the one durable job runner (jobs/); restore is its first kind
        const jobRunner = new JobRunner({
          db,
          logger: deps.logger.child({ area: 'jobs' }),
          heartbeatMs: pf9Config.restore.heartbeatSeconds * 1000,
          staleAfterMs: pf9Config.restore.staleAfterSeconds * 1000,
        });
        const restore = createRestoreArea({
          db,
          runner: jobRunner,
          clouds: pf9Config.clouds,
          config: pf9Config.restore,
          credentials: pf9Config.snapshots.credentials,
          logger: deps.logger.child({ area: 'restore' }),
          audit,
        });
        if (pf9Config.restore.enabled) {
          jobRunner.start();
          deps.lifecycle.addShutdownHook(() => jobRunner.stop());
        }
        // RST-17: expired safety snapshots go, also while restore is switched off
        await scheduleSafetySnapshotPruning(deps.scheduler, {
          db,
          clouds: pf9Config.clouds,
          retentionDays: pf9Config.restore.safetySnapshotRetentionDays,
          logger: deps.logger.child({ area: 'restore' }),
        });

        deps.httpRouter.use(
          createRouter({
            health: {
              version,
              clouds: pf9Config.clouds.map(cloud => cloud.id),
              database: databaseKind(db),
            },
            access: pf9Config.access,
            authorizer,
            userInfo: deps.userInfo,
            inventory: {
              engine: inventoryEngine,
              queries: new InventoryQueries(db),
              history: new InventoryHistory(db),
              guardedBatches: new GuardedBatches(db, {
                verifier: cloudId => inventoryEngine.verifier(cloudId),
                verifyLimit: pf9Config.inventory.verifyLimit,
              }),
              authorizer,
              audit,
            },
            exports: {
              db,
              exports: exportService,
              authorizer,
              audit,
            },
            snapshots: {
              engine: snapshotEngine,
              assignments: assignmentJob,
              pipeline: new SnapshotPipeline({
                db,
                inventory: inventoryEngine,
                assignments: assignmentJob,
                cycle: snapshotEngine,
                logger: deps.logger.child({ area: 'snapshots' }),
              }),
              policies: new PolicyStore(db),
              authorizer,
              audit,
            },
            compliance: { compliance, authorizer, audit },
            restore: {
              config: pf9Config.restore,
              db,
              planner: restore.planner,
              control: restore.control,
              authorizer,
              audit,
            },
          }),
        );
        deps.httpRouter.use(
          createMetricsRouter({
            families: [
              buildInfoFamily(version),
              ...inventoryMetricFamilies(db),
              ...snapshotMetricFamilies(db),
              ...complianceMetricFamilies(compliance),
            ],
            cloudIds: pf9Config.clouds.map(cloud => cloud.id),
            metricsToken: pf9Config.monitoring?.metricsToken,
            allowAnonymousScrape:
              pf9Config.monitoring?.allowAnonymousScrape ?? false,
          }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
        // Scrapers carry the static metrics token, checked by the route itself (MON-6).
        deps.httpRouter.addAuthPolicy({
          path: '/metrics',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
