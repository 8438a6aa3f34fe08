import { startSimulator, Simulator } from './simulator';
import { adminToken, call } from './testing/client';
import { Obj } from './util';

const VOL_PROJECT = 'os-vol-tenant-attr:tenant_id';
const SNAP_PROJECT = 'os-extended-snapshot-attributes:project_id';
const BACKUP_PROJECT = 'os-backup-project-attr:project_id';
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('Cinder quota usage', () => {
  let sim: Simulator;
  let token: string;
  let admin: string;

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: 'small',
      seed: 5,
      transitionMs: 30,
    });
    ({ token, projectId: admin } = await adminToken(sim));
  });
  afterAll(() => sim.close());

  const quotaSet = async (project: string): Promise<Obj> =>
    (
      await call(
        sim,
        'GET',
        `/volume/v3/${admin}/os-quota-sets/${project}?usage=true`,
        { token },
      )
    ).body.quota_set;

  const inUse = async (project: string): Promise<Record<string, number>> => {
    const { id: _id, ...q } = await quotaSet(project);
    return Object.fromEntries(
      Object.entries(q).map(([k, v]) => [k, (v as Obj).in_use]),
    );
  };

  const setQuota = (project: string, quota: Obj) =>
    call(sim, 'PUT', `/volume/v3/${admin}/os-quota-sets/${project}`, {
      token,
      body: { quota_set: quota },
    });

  const tenantVolume = () =>
    sim.state.volumes
      .all()
      .find(v => v.status === 'available' && v[VOL_PROJECT] !== admin)!;

  const createSnapshot = async (project: string, volumeId: string) => {
    const r = await call(sim, 'POST', `/volume/v3/${project}/snapshots`, {
      token,
      body: { snapshot: { volume_id: volumeId } },
    });
    expect(r.status).toBe(202);
    await sleep(60);
    return r.body.snapshot.id as string;
  };

  const deleteSnapshot = async (project: string, id: string) => {
    const r = await call(
      sim,
      'DELETE',
      `/volume/v3/${project}/snapshots/${id}`,
      {
        token,
      },
    );
    expect(r.status).toBe(202);
    await sleep(60);
  };

  it('counts created volumes and snapshots until they are deleted', async () => {
    const project = tenantVolume()[VOL_PROJECT];
    await setQuota(project, { volumes: -1, snapshots: -1, gigabytes: -1 });
    const before = await inUse(project);

    const created = await call(sim, 'POST', `/volume/v3/${project}/volumes`, {
      token,
      body: { volume: { size: 3, volume_type: 'standard' } },
    });
    expect(created.status).toBe(202);
    const volumeId = created.body.volume.id;
    const withVolume = {
      ...before,
      volumes: before.volumes + 1,
      gigabytes: before.gigabytes + 3,
      volumes_standard: before.volumes_standard + 1,
      gigabytes_standard: before.gigabytes_standard + 3,
    };
    expect(await inUse(project)).toEqual(withVolume);
    await sleep(60);

    const snapshotId = await createSnapshot(project, volumeId);
    expect(await inUse(project)).toEqual({
      ...withVolume,
      snapshots: before.snapshots + 1,
      gigabytes: withVolume.gigabytes + 3,
      snapshots_standard: before.snapshots_standard + 1,
    });

    await deleteSnapshot(project, snapshotId);
    expect(await inUse(project)).toEqual(withVolume);
    const deleted = await call(
      sim,
      'DELETE',
      `/volume/v3/${project}/volumes/${volumeId}`,
      { token },
    );
    expect(deleted.status).toBe(202);
    await sleep(60);
    expect(await inUse(project)).toEqual(before);
  });

  it('follows an extend and a retype made in place', async () => {
    const vol = tenantVolume();
    const project = vol[VOL_PROJECT];
    const [from, to] =
      vol.volume_type === 'standard'
        ? ['standard', '__DEFAULT__']
        : ['__DEFAULT__', 'standard'];
    await setQuota(project, { snapshots: -1, gigabytes: -1 });
    const snapshotId = await createSnapshot(project, vol.id);
    const size = vol.size;
    // the scenario's snapshots of this volume move with it too
    const snapshots = sim.state.snapshots.filter(
      s => s.volume_id === vol.id && s[SNAP_PROJECT] === project,
    ).length;
    const before = await inUse(project);
    try {
      vol.size = size + 5;
      sim.state.generation++;
      expect(await inUse(project)).toEqual({
        ...before,
        gigabytes: before.gigabytes + 5,
        [`gigabytes_${from}`]: before[`gigabytes_${from}`] + 5,
      });

      vol.volume_type = to;
      sim.state.generation++;
      expect(await inUse(project)).toEqual({
        ...before,
        gigabytes: before.gigabytes + 5,
        [`volumes_${from}`]: before[`volumes_${from}`] - 1,
        [`gigabytes_${from}`]: before[`gigabytes_${from}`] - size,
        [`snapshots_${from}`]: before[`snapshots_${from}`] - snapshots,
        [`volumes_${to}`]: before[`volumes_${to}`] + 1,
        [`gigabytes_${to}`]: before[`gigabytes_${to}`] + size + 5,
        [`snapshots_${to}`]: before[`snapshots_${to}`] + snapshots,
      });
    } finally {
      vol.size = size;
      vol.volume_type = from;
      sim.state.generation++;
    }
    expect(await inUse(project)).toEqual(before);
    await deleteSnapshot(project, snapshotId);
  });

  it("matches a scan of the whole cloud for every project, snapshots under their own project and their volume's type", async () => {
    const vol = tenantVolume();
    // a snapshot in the admin project of another project's volume
    const crossId = await createSnapshot(admin, vol.id);
    const st = sim.state;
    for (const project of st.quotas.cinder.keys()) {
      const volumes = st.volumes.filter(v => v[VOL_PROJECT] === project);
      const snapshots = st.snapshots.filter(s => s[SNAP_PROJECT] === project);
      const backups = st.backups.filter(b => b[BACKUP_PROJECT] === project);
      const sum = (items: Obj[]) => items.reduce((n, o) => n + o.size, 0);
      const typeOf = (s: Obj) =>
        st.volumes.get(s.volume_id)?.volume_type ?? '__DEFAULT__';
      const expected: Record<string, number> = {
        volumes: volumes.length,
        per_volume_gigabytes: 0,
        snapshots: snapshots.length,
        gigabytes: sum(volumes) + sum(snapshots),
        backups: backups.length,
        backup_gigabytes: sum(backups),
        groups: 0,
      };
      for (const type of ['__DEFAULT__', 'standard']) {
        const typed = volumes.filter(v => v.volume_type === type);
        expected[`volumes_${type}`] = typed.length;
        expected[`gigabytes_${type}`] = sum(typed);
        expected[`snapshots_${type}`] = snapshots.filter(
          s => typeOf(s) === type,
        ).length;
      }
      expect(await inUse(project)).toEqual(expected);
    }
    expect(
      st.snapshots.filter(s => s[SNAP_PROJECT] === admin).map(s => s.id),
    ).toContain(crossId);
    await deleteSnapshot(admin, crossId);
  });

  it('still refuses a volume or snapshot over quota with 413', async () => {
    const vol = tenantVolume();
    const project = vol[VOL_PROJECT];
    const limits = await inUse(project);
    const original = await quotaSet(project);
    const restore = {
      volumes: original.volumes.limit,
      gigabytes: original.gigabytes.limit,
      snapshots: original.snapshots.limit,
    };
    const createVolume = () =>
      call(sim, 'POST', `/volume/v3/${project}/volumes`, {
        token,
        body: { volume: { size: 1 } },
      });
    try {
      await setQuota(project, { volumes: limits.volumes, gigabytes: -1 });
      const volumes = await createVolume();
      expect(volumes.status).toBe(413);
      expect(volumes.body.overLimit.message).toBe(
        `VolumeLimitExceeded: Maximum number of volumes allowed (${limits.volumes}) exceeded for quota 'volumes'.`,
      );

      await setQuota(project, { volumes: -1, gigabytes: limits.gigabytes });
      const gigabytes = await createVolume();
      expect(gigabytes.status).toBe(413);
      expect(gigabytes.body.overLimit.message).toBe(
        `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 1G, quota is ${limits.gigabytes}G and ${limits.gigabytes}G has been consumed.`,
      );

      await setQuota(project, { gigabytes: -1, snapshots: limits.snapshots });
      const snapshot = await call(
        sim,
        'POST',
        `/volume/v3/${project}/snapshots`,
        { token, body: { snapshot: { volume_id: vol.id } } },
      );
      expect(snapshot.status).toBe(413);
      expect(snapshot.body.overLimit.message).toBe(
        `SnapshotLimitExceeded: Maximum number of snapshots allowed (${limits.snapshots}) exceeded`,
      );
    } finally {
      await setQuota(project, restore);
    }
    expect(await inUse(project)).toEqual(limits);
  });
});
