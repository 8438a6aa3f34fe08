// @ts-check

/**
 * Snapshot assignments (SPEC SNAP-8 – SNAP-11, SNAP-19): rules, manual assignments, exclusions, the
 * effective result per volume of the assignment job, the role grants the service user received, the
 * "sync & snapshot now" pipeline jobs; and, for the compliance area, the manual (unmanaged) snapshots
 * of each evaluation (CMP-4).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('snapshot_rules', table => {
    table.string('name', 64).primary();
    table.integer('priority').notNullable();
    table.string('action', 10).notNullable();
    table.boolean('enabled').notNullable();
    /** the match keys (JSON object; empty is a catch-all) */
    table.text('match').notNullable();
    /** include rules: policy names (JSON array) and retention per policy (JSON object) */
    table.text('policies').notNullable();
    table.text('retention').notNullable();
    table.text('description').nullable();
    table.string('updated_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('snapshot_manual_assignments', table => {
    table.string('cloud_id', 64).notNullable();
    table.string('volume_id', 64).notNullable();
    table.text('policies').notNullable();
    table.text('retention').notNullable();
    table.text('note').nullable();
    table.string('updated_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(['cloud_id', 'volume_id']);
  });

  await knex.schema.createTable('snapshot_exclusions', table => {
    table.string('cloud_id', 64).notNullable();
    table.string('volume_id', 64).notNullable();
    table.text('reason').notNullable();
    table.timestamp('expires_at', { useTz: true }).nullable();
    table.string('updated_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(['cloud_id', 'volume_id']);
  });

  /** The effective assignment of every volume, as of the last assignment job (SNAP-10). */
  await knex.schema.createTable('snapshot_volume_assignments', table => {
    table.string('cloud_id', 64).notNullable();
    table.string('volume_id', 64).notNullable();
    table.string('project_id', 64).nullable();
    table.string('domain_id', 64).nullable();
    /** exclusion, manual, metadata, rule:<name> or none */
    table.string('source', 80).notNullable();
    table.string('matched_rule', 64).nullable();
    table.boolean('enabled').notNullable();
    table.text('policies').notNullable();
    table.text('retention').notNullable();
    table.string('misconfigured', 30).nullable();
    table.timestamp('evaluated_at', { useTz: true }).notNullable();
    table.primary(['cloud_id', 'volume_id']);
    table.index(['cloud_id', 'source']);
  });

  /** Role grants made for the service user (SNAP-19); revocation removes only these. */
  await knex.schema.createTable('snapshot_role_grants', table => {
    table.string('cloud_id', 64).notNullable();
    table.string('project_id', 64).notNullable();
    table.string('user_id', 64).notNullable();
    table.string('role_id', 64).notNullable();
    table.string('role_name', 64).notNullable();
    table.timestamp('granted_at', { useTz: true }).notNullable();
    table.string('run_id', 64).nullable();
    table.primary(['cloud_id', 'project_id', 'user_id', 'role_id']);
  });

  /** "Sync & snapshot now" (SNAP-26): four steps, each with its real outcome (JSON). */
  await knex.schema.createTable('snapshot_pipelines', table => {
    table.string('id', 36).primary();
    table.string('cloud_id', 64).notNullable();
    table.string('status', 20).notNullable();
    table.string('triggered_by', 255).notNullable();
    table.text('steps').notNullable();
    table.text('error').nullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.index(['cloud_id', 'started_at']);
  });
  // one active pipeline per cloud across instances
  await knex.raw(
    "CREATE UNIQUE INDEX snapshot_pipelines_one_active ON snapshot_pipelines (cloud_id) WHERE status = 'running'",
  );

  /** CMP-4: snapshots we did not create, per stored evaluation (owned by the compliance area). */
  await knex.schema.createTable('compliance_manual_snapshots', table => {
    table.bigIncrements('id');
    table.string('evaluation_id', 64).notNullable();
    table.string('snapshot_id', 64).notNullable();
    table.string('snapshot_name', 255).nullable();
    table.string('status', 30).nullable();
    table.integer('size_gb').nullable();
    table.timestamp('created_at', { useTz: true }).nullable();
    table.string('volume_id', 64).nullable();
    table.string('volume_name', 255).nullable();
    table.string('project_id', 64).nullable();
    table.string('project_name', 255).nullable();
    table.string('domain_id', 64).nullable();
    table.string('domain_name', 255).nullable();
    table.index(['evaluation_id', 'created_at']);
  });

  await knex.schema.alterTable('snapshot_runs', table => {
    // SNAP-23 progress
    table.integer('total_batches').nullable();
    table.integer('completed_batches').nullable();
    table.integer('current_batch').nullable();
    table.timestamp('estimated_finish_at', { useTz: true }).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('snapshot_runs', table => {
    table.dropColumn('total_batches');
    table.dropColumn('completed_batches');
    table.dropColumn('current_batch');
    table.dropColumn('estimated_finish_at');
  });
  await knex.schema.dropTable('compliance_manual_snapshots');
  await knex.schema.dropTable('snapshot_pipelines');
  await knex.schema.dropTable('snapshot_role_grants');
  await knex.schema.dropTable('snapshot_volume_assignments');
  await knex.schema.dropTable('snapshot_exclusions');
  await knex.schema.dropTable('snapshot_manual_assignments');
  await knex.schema.dropTable('snapshot_rules');
};
