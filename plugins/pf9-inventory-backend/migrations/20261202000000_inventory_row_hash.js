// @ts-check

/**
 * The sync's write path at 150k resources (bench/inventory-sync.ts):
 *
 * - `row_hash` on `inventory_resources`: a hash of everything a sync writes into the row except "last
 *   seen" (name, owner, status, partition, search text, key fields, raw payload, derived fields). A
 *   re-sync compares it instead of reading every row's payload back. Rows written before have none
 *   and are rewritten once.
 * - PostgreSQL: the JSON text columns are TOAST-compressed with lz4 instead of pglz where the server
 *   supports it (cheaper to compress; only values over ~2 kB are compressed at all). SQLite: nothing.
 */

/** @type {Array<[string, string[]]>} */
const LZ4_COLUMNS = [
  ['inventory_resources', ['raw', 'key_fields', 'derived']],
  ['inventory_versions', ['content']],
];

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('inventory_resources', table => {
    table.string('row_hash', 64).nullable();
  });
  if (knex.client.config.client !== 'pg') {
    return;
  }
  const { rows } = await knex.raw(
    "select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)",
  );
  if (rows.length === 0) {
    return;
  }
  for (const [table, columns] of LZ4_COLUMNS) {
    for (const column of columns) {
      await knex.raw('ALTER TABLE ?? ALTER COLUMN ?? SET COMPRESSION lz4', [
        table,
        column,
      ]);
    }
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (knex.client.config.client === 'pg') {
    for (const [table, columns] of LZ4_COLUMNS) {
      for (const column of columns) {
        await knex.raw('ALTER TABLE ?? ALTER COLUMN ?? SET COMPRESSION pglz', [
          table,
          column,
        ]);
      }
    }
  }
  await knex.schema.alterTable('inventory_resources', table => {
    table.dropColumn('row_hash');
  });
};
