import { TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { startSimulator } from '@internal/openstack-sim';
import { migrated } from '../inventory/__testUtils__/harness';
import { closeSharedAgents } from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';
import { cycleEngine, eligibleVolumes, prepareSim } from './__testUtils__/sim';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const PASSWORD = 'svc-snapshots-pw';
const DAY = 86_400_000;

/** A plain user in a customer domain, with no role anywhere: what an operator would create. */
function addServiceUser(sim: Simulator) {
  const st = sim.state;
  const domain = st.domains.all().find(d => d.id !== 'default')!;
  const user = st.users.add({
    id: 'svc-snap-user',
    name: 'svc-snapshots',
    domain_id: domain.id,
    enabled: true,
    links: {},
    password_expires_at: null,
    options: {},
  });
  st.passwords.set(user.id, PASSWORD);
  return { user, domain };
}

function roleOn(sim: Simulator, userId: string, projectId: string) {
  return sim.state.roleAssignments.filter(
    a => a.actorId === userId && a.scope.project === projectId,
  );
}

describe('serviceUser credentials (SNAP-18, SNAP-19)', () => {
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSimulator({
      scenario: 'tiny',
      seed: 1,
      port: 0,
      transitionMs: 0,
    });
    // quotas only: the admin gets no role on tenant projects, the service user must be granted one
    prepareSim(sim, {
      withoutRoleOn: sim.state.projects.all().map(p => p.id),
    });
  });
  afterEach(() => sim.close());
  afterAll(() => closeSharedAgents());

  it.each(databases.eachSupportedId())(
    'grants the role where missing, creates in each volume project, records and revokes only its grants (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const { user, domain } = addServiceUser(sim);
      const projects = [
        ...new Set(
          eligibleVolumes(sim).map(
            v => v['os-vol-tenant-attr:tenant_id'] as string,
          ),
        ),
      ];
      // an operator already granted the role on one project: not ours, never revoked
      const member = sim.state.roles.all().find(r => r.name === 'member')!;
      sim.state.roleAssignments.push({
        actorType: 'user',
        actorId: user.id,
        roleId: member.id,
        scope: { project: projects[0] },
      });
      const engine = cycleEngine(db, simCloud(sim), {
        settings: {
          batchDelayMs: 0,
          credentials: {
            mode: 'serviceUser',
            username: 'svc-snapshots',
            password: PASSWORD,
            domainName: domain.name,
            autoGrant: { enabled: true, role: 'member', allowAdminRole: false },
          },
        },
      });
      const before = new Set(sim.state.snapshots.all().map(s => s.id));
      const run = await engine.run('sim', 'api', 'user:default/tester');
      expect(run.status).toBe('completed');
      const created = sim.state.snapshots.all().filter(s => !before.has(s.id));
      expect(created).toHaveLength(eligibleVolumes(sim).length);
      for (const s of created) {
        const volume = sim.state.volumes.get(s.volume_id)!;
        expect(s['os-extended-snapshot-attributes:project_id']).toBe(
          volume['os-vol-tenant-attr:tenant_id'],
        );
      }
      const grants = await engine.grants('sim');
      expect(grants.map(g => g.projectId).sort()).toEqual(
        projects.slice(1).sort(),
      );
      expect(
        grants.every(g => g.roleName === 'member' && g.runId === run.id),
      ).toBe(true);

      const revoked = await engine.revokeGrants('sim', { all: true });
      expect(revoked.failed).toEqual([]);
      expect(revoked.revoked).toHaveLength(projects.length - 1);
      for (const p of projects.slice(1))
        expect(roleOn(sim, user.id, p)).toEqual([]);
      expect(roleOn(sim, user.id, projects[0])).toHaveLength(1);
      expect(await engine.grants('sim')).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'revokeUnusedAfterDays revokes our grant on a project without a protected volume for that long, only then (%p)',
    async id => {
      const db = await migrated(await databases.init(id));
      const { user, domain } = addServiceUser(sim);
      // a second project with a protected volume
      const protectedIn = new Set(
        eligibleVolumes(sim).map(v => v['os-vol-tenant-attr:tenant_id']),
      );
      const other = sim.state.volumes
        .all()
        .find(
          v =>
            v.status === 'available' &&
            !protectedIn.has(v['os-vol-tenant-attr:tenant_id']),
        )!;
      Object.assign(other.metadata, {
        auto_snapshot: 'true',
        snapshot_policies: 'daily_5',
      });
      const projects = [
        ...new Set(
          eligibleVolumes(sim).map(
            v => v['os-vol-tenant-attr:tenant_id'] as string,
          ),
        ),
      ].sort();
      expect(projects.length).toBeGreaterThan(1);
      const start = Date.now();
      let now = new Date(start);
      const engine = cycleEngine(db, simCloud(sim), {
        now: () => now,
        settings: {
          batchDelayMs: 0,
          credentials: {
            mode: 'serviceUser',
            username: 'svc-snapshots',
            password: PASSWORD,
            domainName: domain.name,
            autoGrant: { enabled: true, role: 'member', allowAdminRole: false },
            revokeUnusedAfterDays: 2,
          },
        },
      });
      await engine.run('sim', 'api', 'system:test');
      expect((await engine.grants('sim')).map(g => g.projectId).sort()).toEqual(
        projects,
      );
      // the first project stops protecting its volumes
      const [unused] = projects;
      for (const v of eligibleVolumes(sim)) {
        if (v['os-vol-tenant-attr:tenant_id'] === unused)
          v.metadata.auto_snapshot = 'false';
      }
      now = new Date(start + 1 * DAY);
      await engine.run('sim', 'api', 'system:test');
      expect((await engine.grants('sim')).map(g => g.projectId).sort()).toEqual(
        projects,
      );
      now = new Date(start + 3 * DAY);
      await engine.run('sim', 'api', 'system:test');
      expect((await engine.grants('sim')).map(g => g.projectId).sort()).toEqual(
        projects.slice(1),
      );
      expect(roleOn(sim, user.id, unused)).toEqual([]);
      for (const p of projects.slice(1))
        expect(roleOn(sim, user.id, p)).toHaveLength(1);
    },
  );

  it('fails the run with a clear error when the service user does not exist, creating nothing', async () => {
    const db = await migrated(await databases.init('SQLITE_3'));
    const domain = sim.state.domains.all().find(d => d.id !== 'default')!;
    const engine = cycleEngine(db, simCloud(sim), {
      settings: {
        credentials: {
          mode: 'serviceUser',
          username: 'nobody-here',
          password: 'x',
          domainId: domain.id,
          autoGrant: { enabled: true, role: 'member', allowAdminRole: false },
        },
      },
    });
    const before = sim.state.snapshots.all().length;
    const run = await engine.run('sim', 'api', 'user:default/tester');
    expect(run.status).toBe('failed');
    expect(run.errorSummary).toMatch(
      /service user 'nobody-here' does not exist/,
    );
    expect(sim.state.snapshots.all().length).toBe(before);
  });
});
