import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { migrated } from './__testUtils__/harness';
import { pruneHistory } from './retention';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const DAY = 86_400_000;
const NOW = new Date('2026-11-26T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);

function version(resourceId: string, versionNo: number, recordedAt: Date) {
  return {
    cloud_id: 'c1',
    type: 'server',
    resource_id: resourceId,
    version_no: versionNo,
    run_id: `run-${versionNo}`,
    change_type: versionNo === 1 ? 'discovered' : 'updated',
    recorded_at: recordedAt,
    content_hash: `h${versionNo}`,
    content: '{}',
    changed_fields: '[]',
  };
}

function deletion(resourceId: string, detectedAt: Date) {
  return {
    cloud_id: 'c1',
    type: 'server',
    resource_id: resourceId,
    last_seen_run_id: 'run-1',
    last_seen_at: detectedAt,
    detected_in_run_id: 'run-2',
    detected_at: detectedAt,
    reason: 'absent_from_complete_listing',
    verified_by_get: true,
    content: '{}',
  };
}

describe.each(databases.eachSupportedId())('pruneHistory on %p', id => {
  let db: Knex;

  beforeAll(async () => {
    db = await migrated(await databases.init(id));
  });

  it('removes old versions and deletion records but never a latest version', async () => {
    await db('inventory_versions').insert([
      version('a', 1, daysAgo(500)),
      version('a', 2, daysAgo(450)),
      version('a', 3, daysAgo(10)),
      // only old versions: the latest one stays
      version('b', 1, daysAgo(900)),
      version('b', 2, daysAgo(800)),
    ]);
    await db('inventory_deletions').insert([
      deletion('old', daysAgo(401)),
      deletion('young', daysAgo(399)),
    ]);

    const pruned = await pruneHistory(db, 400, NOW);

    expect(pruned).toEqual({ versions: 3, deletions: 1 });
    const left = await db('inventory_versions')
      .orderBy(['resource_id', 'version_no'])
      .select('resource_id', 'version_no');
    expect(left.map(r => `${r.resource_id}${r.version_no}`)).toEqual([
      'a3',
      'b2',
    ]);
    const deletions = await db('inventory_deletions').pluck('resource_id');
    expect(deletions).toEqual(['young']);
    expect(await pruneHistory(db, 400, NOW)).toEqual({
      versions: 0,
      deletions: 0,
    });
  });
});
