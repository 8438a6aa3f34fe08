// @ts-check

/**
 * The export area (SPEC §1.7–1.8): one durable row per export job. The file itself lives in the
 * configured export directory (`pf9.export.directory`); the row holds its path, size and hash.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('inventory_exports', table => {
    table.string('id', 64).primary();
    table.string('cloud_id', 64).notNullable();
    /** queued | running | done | failed */
    table.string('status', 20).notNullable();
    /** on_demand | scheduled */
    table.string('trigger', 20).notNullable();
    /** the validated request: format, runId, compareToRunId, scope, masking, sheets, csvBom, ... */
    table.text('options').notNullable();
    /** the caller's permission scope at request time (JSON criteria), applied as a filter */
    table.text('permission_scope').nullable();
    table.string('requested_by', 255).notNullable();
    table.string('run_id', 64).notNullable();
    table.string('compare_run_id', 64).nullable();
    table.string('format', 8).notNullable();
    table.string('masking', 16).notNullable();
    table.string('file_name', 255).notNullable();
    table.text('file_path').nullable();
    table.bigInteger('size_bytes').nullable();
    table.string('sha256', 64).nullable();
    /** the backend instance working on it, and its last sign of life */
    table.string('claimed_by', 128).nullable();
    table.timestamp('heartbeat_at', { useTz: true }).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.text('error').nullable();
    table.index(['cloud_id', 'created_at']);
    table.index(['status']);
    table.index(['expires_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('inventory_exports');
};
