/** Test helpers of the snapshots area: a simulator prepared for cycles, and engines wired to it. */
import { mockServices } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { Knex } from 'knex';
import type { CloudConfig } from '../../config';
import { createOpenStackClient, TokenCache } from '../../openstack';
import { SnapshotCycleEngine, SnapshotCycleOptions } from '../cycle';

/**
 * Gives the simulator's admin a role on every tenant project (what `projectScopedAdmin` needs), except
 * the given ones, and lifts the Cinder quotas so that only tests that want quota blocking get it.
 */
export function prepareSim(
  sim: Simulator,
  options: { withoutRoleOn?: string[] } = {},
) {
  const st = sim.state;
  const adminRole = st.roles.all().find(r => r.name === 'admin')!;
  for (const p of st.projects.all()) {
    if (p.domain_id === 'default') continue;
    if (options.withoutRoleOn?.includes(p.id)) continue;
    st.roleAssignments.push({
      actorType: 'user',
      actorId: st.adminUserId,
      roleId: adminRole.id,
      scope: { project: p.id },
    });
  }
  for (const q of st.quotas.cinder.values()) {
    q.snapshots = -1;
    q.gigabytes = -1;
  }
}

/** Volumes whose metadata protects them with daily_5 and that a cycle may snapshot. */
export function eligibleVolumes(sim: Simulator) {
  return sim.state.volumes
    .all()
    .filter(
      v =>
        String(v.metadata?.auto_snapshot) === 'true' &&
        ['available', 'in-use'].includes(v.status),
    );
}

export function cycleEngine(
  db: Knex,
  cloud: CloudConfig,
  options: Partial<SnapshotCycleOptions> = {},
): SnapshotCycleEngine {
  const tokenCache = new TokenCache();
  return new SnapshotCycleEngine({
    db,
    clouds: [cloud],
    logger: mockServices.logger.mock(),
    clientFactory: (c, { readOnly }) =>
      createOpenStackClient(c, {
        readOnly,
        retryBaseDelayMs: 2,
        readTimeoutMs: 10_000,
        tokenCache,
      }),
    ...options,
  });
}
