/**
 * The restore plan (RST-6 … RST-10): built only from GET calls through a read-only client, so it
 * cannot write to OpenStack (COM-8), and stored as a job in PLANNED state. Every failed check is a
 * blocker or a warning in the plan; only a request that cannot be planned at all is refused.
 */
import { InputError, NotFoundError } from '@backstage/errors';
import type {
  RestoreDataVolumes,
  RestoreIpStrategy,
  RestoreIssue,
  RestoreMode,
  RestorePlan,
  RestorePointList,
} from '@internal/plugin-pf9-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import type { CloudConfig } from '../config';
import { InventoryQueries } from '../inventory/query';
import {
  createOpenStackClient,
  NovaFlavor,
  OpenStackClient,
} from '../openstack';
import { SnapshotRunStore } from '../snapshots/runs';
import { buildActions } from './actions';
import { adoptFromLedger } from './adoption';
import { contractCheck, PlanFacts } from './checks';
import { restoredMetadata, restoredName } from './carryOver';
import {
  getFlavor,
  getKeypair,
  orNull,
  serverFlavor,
  serverGroupOf,
  serverPorts,
} from './live';
import { nicsFromHistory } from './history';
import { NetworkPlanner, nicsOfPorts, OriginalNic } from './network';
import { RestorePlanStore } from './planStore';
import {
  bootInfo,
  imagePoint,
  loadServerSource,
  publicPoint,
  RestorePointDetail,
  restorePointsOf,
  ServerSource,
} from './points';
import { checkQuota, quotaNeedsOf } from './quota';
import { UserDataCipher, userDataSummary } from './secrets';
import { RESTORE_STEP_ORDER, stepApplies } from './steps';
import { planDataVolumes } from './dataVolumes';
import type { RestorePlanDetails } from './types';

export interface PlanRequest {
  cloudId: string;
  serverId: string;
  restorePointId: string;
  mode: RestoreMode;
  newName?: string;
  ipStrategy: RestoreIpStrategy;
  manualIps: Record<string, string>;
  dataVolumes: RestoreDataVolumes;
  flavorId?: string;
  availabilityZone?: string;
  cleanupOldStorage: boolean;
}

export interface PlannerSettings {
  planTtlMinutes: number;
  stopOriginal: boolean;
}

export type ReadOnlyClientFactory = (cloud: CloudConfig) => OpenStackClient;

export interface RestorePlannerOptions {
  db: Knex;
  clouds: CloudConfig[];
  settings: PlannerSettings;
  /** null while restore is disabled: then no plan is made, so no user_data is ever stored */
  cipher: UserDataCipher | null;
  /** builds the client of a plan; it is always made read-only here */
  clientFactory?: (
    cloud: CloudConfig,
    options: { readOnly: true },
  ) => OpenStackClient;
  now?: () => Date;
}

export class RestorePlanner {
  readonly store: RestorePlanStore;
  private readonly queries: InventoryQueries;
  private readonly runs: SnapshotRunStore;
  private readonly now: () => Date;

  constructor(private readonly options: RestorePlannerOptions) {
    this.store = new RestorePlanStore(options.db);
    this.queries = new InventoryQueries(options.db);
    this.runs = new SnapshotRunStore(options.db);
    this.now = options.now ?? (() => new Date());
  }

  cloudIds(): string[] {
    return this.options.clouds.map(c => c.id);
  }

  /** COM-8: a plan can only read. */
  client(cloudId: string): OpenStackClient {
    const cloud = this.options.clouds.find(c => c.id === cloudId);
    if (!cloud) throw new InputError(`Unknown cloud '${cloudId}'`);
    const os = this.options.clientFactory
      ? this.options.clientFactory(cloud, { readOnly: true })
      : createOpenStackClient(cloud, { readOnly: true });
    if (!os.readOnly)
      throw new Error('restore planning needs a read-only OpenStack client');
    return os;
  }

  private async source(os: OpenStackClient, cloudId: string, serverId: string) {
    const source = await loadServerSource(os, this.queries, cloudId, serverId);
    if (!source)
      throw new NotFoundError(
        `Server ${serverId} exists neither live nor in the inventory`,
      );
    return source;
  }

  /** The owner of a server for scope checks, before anything else is read. */
  async ownerOf(
    cloudId: string,
    serverId: string,
  ): Promise<{ projectId: string | null; domainId: string | null } | null> {
    const stored = await this.queries.getResource(
      cloudId,
      'server',
      serverId,
      undefined,
    );
    if (stored)
      return { projectId: stored.projectId, domainId: stored.domainId };
    return null;
  }

  /** RST-3 */
  async points(cloudId: string, serverId: string): Promise<RestorePointList> {
    const os = this.client(cloudId);
    const source = await this.source(os, cloudId, serverId);
    const points = await restorePointsOf(os, this.runs, cloudId, source);
    return {
      serverId,
      serverName: source.server.name ?? null,
      bootMode: bootInfo(source).bootMode,
      fromHistory: source.fromHistory,
      items: points.map(publicPoint),
    };
  }

  async plan(
    request: PlanRequest,
    actor: string,
    options: { retryOf?: string } = {},
  ): Promise<RestorePlan> {
    const os = this.client(request.cloudId);
    const source = await this.source(os, request.cloudId, request.serverId);
    const points = await restorePointsOf(
      os,
      this.runs,
      request.cloudId,
      source,
    );
    const point = await this.findPoint(os, points, request.restorePointId);
    const boot = bootInfo(source);
    contractCheck(boot.bootMode, boot.bootVolume, point.detail);

    const jobId = randomUUID();
    const createdAt = this.now();
    const blockers: RestoreIssue[] = [];
    const warnings: RestoreIssue[] = [];
    const facts: PlanFacts = { blockers, warnings };
    if (boot.blocker) blockers.push(boot.blocker);
    if (!point.listed)
      blockers.push({
        code: 'RESTORE_POINT_NOT_OF_SERVER',
        message: `${point.detail.id} does not belong to server ${request.serverId} or its volumes`,
      });
    if (point.detail.status !== 'available')
      blockers.push({
        code: 'RESTORE_POINT_NOT_AVAILABLE',
        message: `${point.detail.id} is ${point.detail.status}`,
      });
    await this.validateOwner(os, source, request, facts, options);

    const flavor = await this.flavor(os, source, request, facts);
    const { bootVolume, dataVolumes } = planDataVolumes({
      request,
      source,
      boot,
      point: point.detail,
      points,
      jobId,
      facts,
    });
    const network = await new NetworkPlanner(os).plan({
      mode: request.mode,
      strategy: request.ipStrategy,
      manualIps: request.manualIps,
      originalExists: !source.fromHistory,
      originalServerId: source.server.id,
      nics: await this.nics(os, source),
      namePrefix: `restore-${jobId.slice(0, 8)}`,
    });
    blockers.push(...network.blockers);
    warnings.push(...network.warnings);

    const server = source.server;
    const keyName = (server.key_name as string | null) ?? null;
    const keyOwner = (server.user_id as string | undefined) ?? null;
    if (keyName && !(await getKeypair(os, keyName, keyOwner)))
      warnings.push({
        code: 'KEYPAIR_MISSING',
        message: `keypair ${keyName} of user ${
          keyOwner ?? '?'
        } was not found; the restored disk keeps its authorized keys`,
      });
    const group = await serverGroupOf(os, server);
    if (group.id && !group.exists)
      warnings.push({
        code: 'SERVER_GROUP_MISSING',
        message: `server group ${group.id} no longer exists; the server is placed without it`,
      });
    const userData = this.userData(source, facts);
    const details: RestorePlanDetails = {
      mode: request.mode,
      ipStrategy: request.ipStrategy,
      dataVolumesMode: request.dataVolumes,
      bootMode: boot.bootMode,
      restorePointKind: point.detail.kind,
      imageRef:
        point.detail.kind === 'volume_snapshot' ? null : point.detail.id,
      bootVolume,
      dataVolumes,
      ports: network.ports,
      newServerName: restoredName(
        server.name,
        request.mode,
        createdAt,
        request.newName,
      ),
      flavorId: flavor?.id ?? request.flavorId ?? '',
      availabilityZone:
        request.availabilityZone ??
        (server['OS-EXT-AZ:availability_zone'] as string | undefined) ??
        null,
      metadata: restoredMetadata(server.metadata, {
        serverId: server.id,
        pointId: point.detail.id,
        jobId,
      }),
      tags: Array.isArray(server.tags) ? (server.tags as string[]) : [],
      description: (server.description as string | null) ?? null,
      serverGroupId: group.exists ? group.id : null,
      keyName,
      keyOwnerUserId: keyOwner,
      originalExists: !source.fromHistory,
      originalWasActive: server.status === 'ACTIVE',
      fromHistory: source.fromHistory
        ? ['server', 'flavor', 'addresses', 'metadata', 'keyName']
        : [],
      cleanupOldStorage: request.cleanupOldStorage,
    };
    if (options.retryOf)
      await adoptFromLedger(os, this.store, options.retryOf, details, warnings);

    const quota = await checkQuota(
      os,
      source.projectId,
      quotaNeedsOf(details, source, flavor, point.detail),
    );
    for (const q of quota.filter(e => !e.ok))
      blockers.push({
        code: 'QUOTA_EXCEEDED',
        message: `${q.resource}: need ${q.need}, limit ${q.limit}, in use ${q.inUse}, reserved ${q.reserved}`,
      });
    const active = await this.store.activeJobFor(
      request.cloudId,
      request.serverId,
    );
    if (active)
      blockers.push({
        code: 'RESTORE_ALREADY_ACTIVE',
        message: `restore job ${active} is active for this server`,
      });

    const settings = this.options.settings;
    const skipped = new Set(
      RESTORE_STEP_ORDER.filter(s => !stepApplies(s, details, settings)),
    );
    const plan: RestorePlan = {
      planId: jobId,
      cloudId: request.cloudId,
      serverId: request.serverId,
      serverName: server.name,
      projectId: source.projectId,
      mode: request.mode,
      ipStrategy: request.ipStrategy,
      restorePoint: publicPoint(point.detail),
      eligible: blockers.length === 0,
      blockers,
      warnings,
      actions: buildActions(details, jobId, server.id, skipped),
      networkPlan: network.entries,
      quota,
      carryOver: {
        name: details.newServerName,
        flavorId: details.flavorId,
        availabilityZone: details.availabilityZone,
        metadata: details.metadata,
        tags: details.tags,
        description: details.description,
        serverGroupId: details.serverGroupId,
        keyName,
        userData: userDataSummary(userData),
      },
      expiresAt: new Date(
        createdAt.getTime() + settings.planTtlMinutes * 60_000,
      ).toISOString(),
      confirmationText:
        request.mode === 'replace' ? `DELETE AND RESTORE ${server.name}` : null,
    };
    await this.store.insert({
      plan,
      details,
      domainId: source.domainId,
      userDataEncrypted:
        userData && this.options.cipher
          ? this.options.cipher.encrypt(userData)
          : null,
      createdBy: actor,
      retryOf: options.retryOf ?? null,
      skippedSteps: skipped,
      createdAt,
    });
    return plan;
  }

  /** The point as listed for the server, else as found live (then it is not the server's: a blocker). */
  private async findPoint(
    os: OpenStackClient,
    points: RestorePointDetail[],
    id: string,
  ): Promise<{ detail: RestorePointDetail; listed: boolean }> {
    const listed = points.find(p => p.id === id);
    if (listed) return { detail: listed, listed: true };
    const snapshot = await orNull(os.blockStorage.getSnapshot(id));
    if (snapshot)
      return {
        listed: false,
        detail: {
          id,
          kind: 'volume_snapshot',
          name: snapshot.name ?? null,
          volumeId: snapshot.volume_id,
          managed: false,
          policy: null,
          period: null,
          createdAt: new Date(0).toISOString(),
          sizeGb: snapshot.size,
          status: snapshot.status,
          image: null,
        },
      };
    const image = await orNull(os.image.getImage(id));
    if (image) return { listed: false, detail: imagePoint(image) };
    throw new NotFoundError(
      `restorePointId: ${id} is neither a snapshot of the server's volumes nor one of its images`,
    );
  }

  private async validateOwner(
    os: OpenStackClient,
    source: ServerSource,
    request: PlanRequest,
    { blockers }: PlanFacts,
    options: { retryOf?: string },
  ) {
    const project = await orNull(os.identity.getProject(source.projectId));
    if (!project)
      blockers.push({
        code: 'PROJECT_NOT_FOUND',
        message: `project ${source.projectId} does not exist`,
      });
    else if (project.enabled === false)
      blockers.push({
        code: 'PROJECT_DISABLED',
        message: `project ${source.projectId} is disabled`,
      });
    if (source.server.locked === true)
      blockers.push({
        code: 'SERVER_LOCKED',
        message: `server ${source.server.id} is locked`,
      });
    // RST-5; a retry of a replace whose original is already gone recreates it (RST-19)
    if (source.fromHistory && request.mode === 'replace' && !options.retryOf)
      blockers.push({
        code: 'REPLACE_NEEDS_LIVE_SERVER',
        message:
          'the server no longer exists: it can only be restored side_by_side',
      });
  }

  private async flavor(
    os: OpenStackClient,
    source: ServerSource,
    request: PlanRequest,
    { blockers }: PlanFacts,
  ): Promise<NovaFlavor | null> {
    const flavor = request.flavorId
      ? await getFlavor(os, request.flavorId)
      : await serverFlavor(os, source.server);
    if (!flavor)
      blockers.push({
        code: 'FLAVOR_NOT_FOUND',
        message: request.flavorId
          ? `flavor ${request.flavorId} does not exist`
          : "the server's flavor no longer exists: give flavorId",
      });
    return flavor;
  }

  /** Live ports; from history, the recorded addresses (RST-5). */
  private async nics(
    os: OpenStackClient,
    source: ServerSource,
  ): Promise<OriginalNic[]> {
    return source.fromHistory
      ? nicsFromHistory(os, source)
      : nicsOfPorts(await serverPorts(os, source.server.id));
  }

  private userData(source: ServerSource, { warnings }: PlanFacts) {
    if (source.fromHistory) return null;
    if (!source.extendedAttributes) {
      warnings.push({
        code: 'USER_DATA_UNREADABLE',
        message:
          'Nova is older than microversion 2.3: user_data cannot be read and is not carried over',
      });
      return null;
    }
    const value = source.server['OS-EXT-SRV-ATTR:user_data'];
    return typeof value === 'string' && value ? value : null;
  }
}
