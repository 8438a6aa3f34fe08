/**
 * The assignment job against the real OpenStack Zed lab, when PF9_OSLAB_AUTH_URL is set: a manual
 * assignment is written to a real Cinder volume's metadata with our marker (merge: other keys stay),
 * and removed again when the assignment goes. The volume's metadata is restored at the end.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { migrated } from '../inventory/__testUtils__/harness';
import {
  closeSharedAgents,
  createOpenStackClient,
  OpenStackClient,
  TokenCache,
} from '../openstack';
import {
  labTarget,
  RunningTarget,
} from '../openstack-integration/__testUtils__/targets';
import { AssignmentJob } from './assignmentJob';
import { managedHash } from './ownership';

jest.setTimeout(600_000);

const labUrl = process.env.PF9_OSLAB_AUTH_URL;
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const USER = 'user:default/lab-tester';

const labSuites = labUrl ? ['lab'] : [];

describe('assignment lab registration', () => {
  it('runs against the lab only when PF9_OSLAB_AUTH_URL is set', () => {
    const required = process.env.PF9_REQUIRE_OSLAB === '1';
    expect(!required || Boolean(labUrl)).toBe(true);
  });
});

for (const suite of labSuites) {
  describe(`assignment job on the OpenStack ${suite}`, () => {
    let target: RunningTarget;
    let db: Knex;
    let admin: OpenStackClient;
    let job: AssignmentJob;
    let volume: { id: string; metadata: Record<string, string> };
    const tokenCache = new TokenCache();

    beforeAll(async () => {
      target = await labTarget(labUrl!).start();
      db = await migrated(await databases.init('SQLITE_3'));
      admin = createOpenStackClient(target.cloud, { tokenCache });
      const candidates = (await admin.blockStorage.listVolumes()).items.filter(
        v =>
          ['available', 'in-use'].includes(v.status) &&
          !Object.keys(v.metadata ?? {}).some(k =>
            /^(auto_snapshot|snapshot_|retention)/.test(k),
          ),
      );
      if (!candidates.length) throw new Error('no unprotected lab volume');
      volume = {
        id: candidates[0].id,
        metadata: { ...(candidates[0].metadata ?? {}) },
      };
      job = new AssignmentJob({
        db,
        clouds: [target.cloud],
        logger: mockServices.logger.mock(),
        clientFactory: (c, { readOnly }) =>
          createOpenStackClient(c, { readOnly, tokenCache }),
      });
    });

    afterAll(async () => {
      // put the volume's metadata back as it was
      const now = await admin.blockStorage.getVolumeMetadata(volume.id);
      for (const key of Object.keys(now)) {
        if (!(key in volume.metadata)) {
          await admin.blockStorage.deleteVolumeMetadataKey(volume.id, key);
        }
      }
      await target?.stop();
      await closeSharedAgents();
    });

    it('writes a manual assignment with the ownership marker, and withdraws only its keys', async () => {
      await job.store.putManual(
        target.cloud.id,
        {
          volumeId: volume.id,
          policies: ['daily_5'],
          retention: { daily_5: 2 },
          note: 'lab test',
        },
        USER,
      );
      const preview = await job.preview(target.cloud.id);
      const proposed = preview.find(o => o.volumeId === volume.id)!;
      expect(proposed.proposed.source).toBe('manual');
      expect(await admin.blockStorage.getVolumeMetadata(volume.id)).toEqual(
        volume.metadata,
      );

      const result = await job.run(target.cloud.id);
      expect(result.metadataFailed).toBe(0);
      const written = await admin.blockStorage.getVolumeMetadata(volume.id);
      expect(written).toMatchObject({
        ...volume.metadata,
        auto_snapshot: 'true',
        snapshot_policies: 'daily_5',
        retention_daily_5: '2',
        snapshot_managed_by: 'manual',
      });
      expect(written.snapshot_managed_hash).toBe(managedHash(written));

      await job.store.deleteManual(target.cloud.id, volume.id);
      await job.run(target.cloud.id);
      expect(await admin.blockStorage.getVolumeMetadata(volume.id)).toEqual(
        volume.metadata,
      );
    });
  });
}
