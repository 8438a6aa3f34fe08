// @ts-check

/**
 * The free-text filter (`q`, a LIKE '%…%' on search_text) without its trigram index
 * (bench/inventory-sync.ts, bench/inventory-read.ts): keeping a GIN trigram index current cost a full
 * sync of 150k resources about 9 s — more than every other write together — while the filter is
 * always within one type of one cloud, whose rows the list indexes already narrow to; a filtered,
 * sorted page of 50 of 10,000 servers then reads in 13–27 ms p95 without it (target 50 ms).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (knex.client.config.client !== 'pg') {
    return;
  }
  await knex.raw('DROP INDEX IF EXISTS inventory_resources_search_trgm');
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (knex.client.config.client !== 'pg') {
    return;
  }
  const { rows } = await knex.raw(
    "select 1 from pg_extension where extname = 'pg_trgm'",
  );
  if (rows.length) {
    await knex.raw(
      'CREATE INDEX IF NOT EXISTS inventory_resources_search_trgm ON inventory_resources USING gin (search_text gin_trgm_ops)',
    );
  }
};
