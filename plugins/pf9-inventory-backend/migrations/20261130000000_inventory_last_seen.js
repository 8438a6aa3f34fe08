// @ts-check

/**
 * "Last seen" without rewriting unchanged rows (bench/inventory-sync.ts): a sync used to UPDATE
 * last_seen_run/last_seen_at of every wide `inventory_resources` row it saw, so an unchanged re-sync
 * copied every row and touched every index. Now:
 *
 * - `inventory_type_seen` holds, per cloud and type, the last run that wrote the type (its sweep);
 * - a row with `seen_in_sweep` true was seen in that sweep: its last seen run and time are the sweep's;
 *   a row with `seen_in_sweep` false carries its own `last_seen_run` / `last_seen_at`.
 *
 * When a run writes a type, the rows it did not see that were `seen_in_sweep` get the previous sweep's
 * values written into them (few: incomplete partitions, deletions, guarded candidates), then the sweep
 * moves to the run, in the same transaction. Existing rows keep their own values (default false).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('inventory_type_seen', table => {
    table.string('cloud_id', 64).notNullable();
    table.string('type', 40).notNullable();
    table.string('run_id', 64).notNullable();
    table.timestamp('seen_at', { useTz: true }).notNullable();
    table.primary(['cloud_id', 'type']);
  });
  await knex.schema.alterTable('inventory_resources', table => {
    table.boolean('seen_in_sweep').notNullable().defaultTo(false);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  // materialise the sweep into the rows before the flag goes
  const sweeps = await knex('inventory_type_seen').select();
  for (const s of sweeps) {
    await knex('inventory_resources')
      .where({ cloud_id: s.cloud_id, type: s.type, seen_in_sweep: true })
      .update({ last_seen_run: s.run_id, last_seen_at: s.seen_at });
  }
  await knex.schema.alterTable('inventory_resources', table => {
    table.dropColumn('seen_in_sweep');
  });
  await knex.schema.dropTable('inventory_type_seen');
};
