/**
 * THE compliance calculation (SPEC CMP-1, CMP-2, PIT-12): pure functions, no I/O. The service stores
 * what they return; the API, metrics and every other reader use the stored evaluation only.
 */
import { pairKey } from '../snapshots/assignments';
import {
  createdAtMs,
  LiveCloud,
  ManagedSnapshotIndex,
  volumeFacts,
  volumeProjectId,
  volumeServerId,
} from '../snapshots/live';
import {
  AssignmentSources,
  NO_SOURCES,
  resolveAssignment,
} from '../snapshots/resolve';
import type { SnapshotPolicy } from '../snapshots/policies';
import { latestClosedPeriod } from '../snapshots/schedule';

export type PairStatus =
  | 'misconfigured'
  | 'pending'
  | 'compliant'
  | 'quota_blocked'
  | 'missing';
export type RowStatus = PairStatus | 'unprotected';

export const NON_COMPLIANT: ReadonlySet<RowStatus> = new Set([
  'misconfigured',
  'quota_blocked',
  'missing',
]);

/** CMP-3 list order: non-compliant, pending, compliant (unprotected volumes last). */
export function statusRank(status: RowStatus): number {
  if (NON_COMPLIANT.has(status)) return 0;
  if (status === 'pending') return 1;
  if (status === 'compliant') return 2;
  return 3;
}

export interface ComplianceRow {
  volumeId: string;
  volumeName: string | null;
  projectId: string | null;
  projectName: string | null;
  domainId: string | null;
  domainName: string | null;
  serverId: string | null;
  serverName: string | null;
  /** null for an unprotected volume and for a volume enabled without any policy */
  policy: string | null;
  retention: number | null;
  /** CMP-1 Pc */
  period: string | null;
  snapshotCount: number;
  lastSnapshotAt: string | null;
  status: RowStatus;
  reason: string | null;
  slaDays: string | null;
}

export interface EvaluationInput {
  at: Date;
  live: Pick<
    LiveCloud,
    'volumes' | 'snapshots' | 'projects' | 'domains' | 'servers'
  >;
  policies: SnapshotPolicy[];
  /** stored `firstProtectedAt` per pair (pairKey) */
  firstProtectedAt: Map<string, Date>;
  /** SNAP-8: rules, manual assignments and exclusions (default none: the metadata decides) */
  sources?: AssignmentSources;
  /** the latest real create attempt per pair (pairKey) */
  latestAttempts: Map<string, { action: string; period: string | null }>;
}

function unprotectedReason(source: string): string {
  if (source === 'none') return 'no_assignment';
  return source === 'exclusion' ? 'excluded' : 'opted_out';
}

/** CMP-1 for every volume of the cloud: one row per protected pair, one per unprotected volume. */
export function evaluateCompliance(input: EvaluationInput): ComplianceRow[] {
  const { at, live } = input;
  const policyMap = new Map(input.policies.map(p => [p.name, p]));
  const rows: ComplianceRow[] = [];
  const managed = new ManagedSnapshotIndex(live.snapshots);
  for (const volume of live.volumes) {
    const assignment = resolveAssignment(
      volumeFacts(volume, live),
      input.sources ?? NO_SOURCES,
      policyMap,
      at,
    );
    const projectId = volumeProjectId(volume);
    const project = projectId ? live.projects.get(projectId) : undefined;
    const domainId = project?.domainId ?? null;
    const serverId = volumeServerId(volume);
    const base = {
      volumeId: volume.id,
      volumeName: volume.name ?? null,
      projectId,
      projectName: project?.name ?? null,
      domainId,
      domainName: domainId ? live.domains.get(domainId) ?? null : null,
      serverId,
      serverName: serverId ? live.servers.get(serverId) ?? null : null,
      slaDays: assignment.slaDays,
    };
    const empty = {
      retention: null,
      period: null,
      snapshotCount: 0,
      lastSnapshotAt: null,
    };
    if (!assignment.enabled) {
      rows.push({
        ...base,
        ...empty,
        policy: null,
        status: 'unprotected',
        reason: unprotectedReason(assignment.source),
      });
      continue;
    }
    if (assignment.misconfigured) {
      rows.push({
        ...base,
        ...empty,
        policy: null,
        status: 'misconfigured',
        reason: assignment.misconfigured,
      });
      continue;
    }
    for (const pair of assignment.pairs) {
      const ours = managed.of(volume.id, pair.policy);
      const available = ours.filter(s => s.status === 'available');
      const last = available.length
        ? Math.max(...available.map(createdAtMs))
        : null;
      const row = {
        ...base,
        policy: pair.policy,
        retention: pair.retention,
        snapshotCount: available.length,
        lastSnapshotAt: last === null ? null : new Date(last).toISOString(),
      };
      const policy = policyMap.get(pair.policy);
      if (pair.misconfigured || !policy) {
        rows.push({
          ...row,
          period: null,
          status: 'misconfigured',
          reason: pair.misconfigured ?? 'unknown_policy',
        });
        continue;
      }
      const pc = latestClosedPeriod(policy, at);
      const since = Math.max(
        createdAtMs(volume) || 0,
        (
          input.firstProtectedAt.get(pairKey(volume.id, pair.policy)) ?? at
        ).getTime(),
      );
      const status = ((): { status: PairStatus; reason: string | null } => {
        if (pc.windowStart.getTime() < since) {
          return {
            status: 'pending',
            reason: 'no closed window since protection began',
          };
        }
        if (available.some(s => createdAtMs(s) >= pc.windowStart.getTime())) {
          return { status: 'compliant', reason: null };
        }
        const attempt = input.latestAttempts.get(
          pairKey(volume.id, pair.policy),
        );
        if (
          attempt?.action === 'quota_blocked' &&
          (attempt.period ?? '') >= pc.key
        ) {
          return { status: 'quota_blocked', reason: 'quota' };
        }
        return {
          status: 'missing',
          reason: `no available snapshot since ${pc.windowStart.toISOString()}`,
        };
      })();
      rows.push({ ...row, period: pc.key, ...status });
    }
  }
  return rows;
}

export interface RollUp {
  key: string;
  name: string | null;
  pairs: Record<PairStatus, number>;
  /** CMP-2: 100 × compliant / (compliant + non-compliant), 1 decimal; null when the denominator is 0 */
  compliancePct: number | null;
  volumes: {
    compliant: number;
    nonCompliant: number;
    pending: number;
    unprotected: number;
  };
}

export type GroupBy = 'project' | 'domain' | 'policy';

export interface RollUps {
  overall: RollUp;
  byProject: RollUp[];
  byDomain: RollUp[];
  byPolicy: RollUp[];
}

/** CMP-2: pair counts, the pair percentage and volume counts of some rows. */
export function rollUp(
  key: string,
  name: string | null,
  rows: ComplianceRow[],
): RollUp {
  const pairs: Record<PairStatus, number> = {
    compliant: 0,
    pending: 0,
    missing: 0,
    quota_blocked: 0,
    misconfigured: 0,
  };
  const perVolume = new Map<string, RowStatus[]>();
  for (const row of rows) {
    if (row.status !== 'unprotected') pairs[row.status]++;
    perVolume.set(row.volumeId, [
      ...(perVolume.get(row.volumeId) ?? []),
      row.status,
    ]);
  }
  const volumes = { compliant: 0, nonCompliant: 0, pending: 0, unprotected: 0 };
  for (const statuses of perVolume.values()) {
    if (statuses.includes('unprotected')) volumes.unprotected++;
    else if (statuses.some(s => NON_COMPLIANT.has(s))) volumes.nonCompliant++;
    else if (statuses.includes('compliant')) volumes.compliant++;
    else volumes.pending++;
  }
  const nonCompliant =
    pairs.missing + pairs.quota_blocked + pairs.misconfigured;
  const denominator = pairs.compliant + nonCompliant;
  return {
    key,
    name,
    pairs,
    compliancePct:
      denominator === 0
        ? null
        : Math.round((1000 * pairs.compliant) / denominator) / 10,
    volumes,
  };
}

const GROUP_FIELDS: Record<
  GroupBy,
  (row: ComplianceRow) => { key: string | null; name: string | null }
> = {
  project: row => ({ key: row.projectId, name: row.projectName }),
  domain: row => ({ key: row.domainId, name: row.domainName }),
  policy: row => ({ key: row.policy, name: row.policy }),
};

/** Roll-ups of the rows grouped by project, domain or policy, sorted by key. */
export function rollUpBy(rows: ComplianceRow[], groupBy: GroupBy): RollUp[] {
  const groups = new Map<
    string,
    { name: string | null; rows: ComplianceRow[] }
  >();
  for (const row of rows) {
    const { key, name } = GROUP_FIELDS[groupBy](row);
    // an unprotected volume has no policy: it belongs to no policy group
    if (groupBy === 'policy' && key === null) continue;
    const k = key ?? '';
    const group = groups.get(k) ?? { name, rows: [] };
    group.rows.push(row);
    groups.set(k, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, g]) => rollUp(key, g.name, g.rows));
}

export function allRollUps(rows: ComplianceRow[]): RollUps {
  return {
    overall: rollUp('all', null, rows),
    byProject: rollUpBy(rows, 'project'),
    byDomain: rollUpBy(rows, 'domain'),
    byPolicy: rollUpBy(rows, 'policy'),
  };
}
