// @ts-check

/**
 * A trigram index for the inventory's free-text filter (`q`, a LIKE '%…%' on search_text), so a filtered
 * page stays fast at 150k resources. PostgreSQL only, and only where pg_trgm is available (it is a
 * trusted extension from PostgreSQL 13, so the plugin's database owner may create it); SQLite scans.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (knex.client.config.client !== 'pg') {
    return;
  }
  const { rows } = await knex.raw(
    "select 1 from pg_available_extensions where name = 'pg_trgm'",
  );
  if (rows.length === 0) {
    return;
  }
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await knex.raw(
    'CREATE INDEX IF NOT EXISTS inventory_resources_search_trgm ON inventory_resources USING gin (search_text gin_trgm_ops)',
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (knex.client.config.client !== 'pg') {
    return;
  }
  await knex.raw('DROP INDEX IF EXISTS inventory_resources_search_trgm');
};
