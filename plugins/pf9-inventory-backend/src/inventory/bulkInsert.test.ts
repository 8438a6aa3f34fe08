import { TestDatabases } from '@backstage/backend-test-utils';
import { BulkValue, bulkInsert } from './bulkInsert';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe('bulkInsert', () => {
  it.each(databases.eachSupportedId())(
    'stores text with tabs, newlines, backslashes and quotes, nulls, numbers, booleans and times as given, on %p',
    async id => {
      const db = await databases.init(id);
      await db.schema.createTable('bulk_probe', table => {
        table.integer('n').notNullable();
        table.text('text').nullable();
        table.boolean('flag').notNullable();
        table.timestamp('at', { useTz: true }).notNullable();
      });
      const at = new Date('2026-01-02T03:04:05.678Z');
      const texts = [
        'plain',
        'tab\there',
        'line\nbreak and\r\nCRLF',
        'back\\slash \\N \\t',
        JSON.stringify({ q: 'say "hi"\n', path: 'C:\\temp' }),
        'ünïcødé ✓ 😀',
        '',
        null,
      ];
      const rows: BulkValue[][] = texts.map((text, n) => [
        n,
        text,
        n % 2 === 0,
        at,
      ]);
      await db.transaction(tx =>
        bulkInsert(tx, 'bulk_probe', ['n', 'text', 'flag', 'at'], rows),
      );
      const stored = await db('bulk_probe').orderBy('n').select();
      expect(stored.map(r => r.text)).toEqual(texts);
      expect(stored.map(r => !!r.flag)).toEqual(
        texts.map((_, n) => n % 2 === 0),
      );
      expect(stored.map(r => new Date(r.at).toISOString())).toEqual(
        texts.map(() => at.toISOString()),
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'fails the transaction on a bad row and writes nothing, on %p',
    async id => {
      const db = await databases.init(id);
      await db.schema.createTable('bulk_probe_unique', table => {
        table.integer('n').notNullable();
      });
      // the bad row comes after rows that went out in earlier statements (SQLite) or messages
      const rows: BulkValue[][] = Array.from({ length: 120 }, (_, n) => [
        n === 100 ? null : n,
      ]);
      // (the driver's error may come from another realm than the test's, so it is compared as text)
      const failure = await db
        .transaction(tx => bulkInsert(tx, 'bulk_probe_unique', ['n'], rows))
        .then(
          () => 'no error',
          (e: unknown) => String(e),
        );
      expect(failure).toMatch(/not.null/i);
      const [{ c }] = await db('bulk_probe_unique').count({ c: '*' });
      expect(Number(c)).toBe(0);
      // the connection is usable afterwards
      await db.transaction(tx =>
        bulkInsert(tx, 'bulk_probe_unique', ['n'], [[3]]),
      );
      expect((await db('bulk_probe_unique').select()).map(r => r.n)).toEqual([
        3,
      ]);
    },
  );
});
