// @ts-check

/**
 * SNAP-24 cancel: a cancel request is stored on the run, so the instance running the cycle sees it
 * whichever instance received the request. SNAP-19 `revokeUnusedAfterDays`: when a grant's project
 * last held a protected volume.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('snapshot_runs', table => {
    table.string('cancel_requested_by', 255).nullable();
    table.timestamp('cancel_requested_at', { useTz: true }).nullable();
  });
  await knex.schema.alterTable('snapshot_role_grants', table => {
    table.timestamp('last_needed_at', { useTz: true }).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('snapshot_role_grants', table => {
    table.dropColumn('last_needed_at');
  });
  await knex.schema.alterTable('snapshot_runs', table => {
    table.dropColumn('cancel_requested_by');
    table.dropColumn('cancel_requested_at');
  });
};
