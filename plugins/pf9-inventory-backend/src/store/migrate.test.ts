import { TestDatabases } from '@backstage/backend-test-utils';
import { databaseKind, migrateStore, rollbackStore } from './migrate';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe('pf9 store migrations', () => {
  it('runs on PostgreSQL when the test command provides it', () => {
    // The README's test command always provides PostgreSQL; a bare `jest` run may be SQLite-only.
    const required = process.env.PF9_REQUIRE_POSTGRES === '1';
    expect(!required || databases.supports('POSTGRES_15')).toBe(true);
  });

  it.each(databases.eachSupportedId())(
    'migrates up, stores an audit event and rolls back on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const database = { getClient: async () => knex };

      await migrateStore(database);
      expect(databaseKind(knex)).toBe(
        databaseId.startsWith('POSTGRES') ? 'postgres' : 'sqlite',
      );
      await knex('audit_events').insert({
        event_id: 'access.denied',
        severity: 'medium',
        actor: 'user:default/alice',
        outcome: 'fail',
        created_at: new Date('2026-11-26T08:00:00Z'),
      });
      const rows = await knex('audit_events').select('actor', 'outcome');
      expect(rows).toEqual([{ actor: 'user:default/alice', outcome: 'fail' }]);

      // Re-running is a no-op, as on every backend restart.
      await migrateStore(database);
      expect(await knex('audit_events').count({ n: '*' })).toEqual([
        { n: databaseId.startsWith('POSTGRES') ? '1' : 1 },
      ]);

      const indexNames = async (table: string): Promise<string[]> => {
        const found = databaseId.startsWith('POSTGRES')
          ? (
              await knex.raw(
                'select indexname as name from pg_indexes where tablename = ?',
                [table],
              )
            ).rows
          : await knex.raw(
              "select name from sqlite_master where type = 'index' and tbl_name = ?",
              [table],
            );
        return found.map((r: { name: string }) => r.name);
      };
      // The list indexes exist; the free-text filter's trigram index is gone (cost of a sync, 20261205).
      const names = await indexNames('inventory_resources');
      expect(names).toContain('inventory_resources_live_name');
      expect(names).not.toContain('inventory_resources_search_trgm');
      // every cycle's history reads (SNAP-15) are served by indexes (20261206)
      expect(await indexNames('snapshot_records')).toEqual(
        expect.arrayContaining([
          'snapshot_records_pending_creates',
          'snapshot_records_cloud_id_period_index',
        ]),
      );

      await rollbackStore(knex);
      expect(await knex.schema.hasTable('audit_events')).toBe(false);
    },
  );
});
