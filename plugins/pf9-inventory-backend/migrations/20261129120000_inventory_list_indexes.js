// @ts-check

/**
 * Indexes for the resource list (INV-17, bench/inventory-read.ts): a page of 50 of one type, live rows
 * only, sorted by name or updated_at with the id tie-breaker, or filtered by status (compared
 * lower-cased) and sorted by name. With `deleted` in the index, the page is read in index order (no sort of every row of
 * the type), and the count of the filter does not need the wide rows. PostgreSQL and SQLite.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.raw(
    'CREATE INDEX inventory_resources_live_name ON inventory_resources (cloud_id, type, deleted, name, id)',
  );
  await knex.raw(
    'CREATE INDEX inventory_resources_live_updated ON inventory_resources (cloud_id, type, deleted, updated_at, id)',
  );
  await knex.raw(
    'CREATE INDEX inventory_resources_live_status ON inventory_resources (cloud_id, type, deleted, lower(status), name, id)',
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw('DROP INDEX inventory_resources_live_status');
  await knex.raw('DROP INDEX inventory_resources_live_updated');
  await knex.raw('DROP INDEX inventory_resources_live_name');
};
