// @ts-check

/**
 * Two reads every snapshot cycle makes of `snapshot_records`, which grows by one record per pair and
 * day and is never pruned: the creates still `creating` (SNAP-15 follow-up) and the create attempts of
 * the current periods (SNAP-15). Without these indexes both read every record of the cloud; with them,
 * only the pending creates and the current periods' records (bench/snapshot-history.ts). The pending
 * index is partial: a record leaves it when the follow-up sets its status.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('snapshot_records', table => {
    table.index(['cloud_id', 'period']);
    table.index(['cloud_id'], 'snapshot_records_pending_creates', {
      predicate: knex.whereRaw(
        "action = 'created' and snapshot_status = 'creating'",
      ),
    });
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('snapshot_records', table => {
    table.dropIndex([], 'snapshot_records_pending_creates');
    table.dropIndex(['cloud_id', 'period']);
  });
};
