// @ts-check

/**
 * The compliance area (SPEC CMP-1 – CMP-3): stored evaluations, one row per protected (volume, policy)
 * pair or unprotected volume, and the roll-ups computed with them.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('compliance_evaluations', table => {
    table.string('id', 64).primary();
    table.string('cloud_id', 64).notNullable();
    table.timestamp('evaluated_at', { useTz: true }).notNullable();
    table.string('trigger', 40).notNullable();
    /** {overall, byProject, byDomain, byPolicy} (CMP-2) */
    table.text('rollups').notNullable();
    table.index(['cloud_id', 'evaluated_at']);
  });

  await knex.schema.createTable('compliance_rows', table => {
    table.bigIncrements('id');
    table.string('evaluation_id', 64).notNullable();
    table.string('volume_id', 64).notNullable();
    table.string('volume_name', 255).nullable();
    table.string('project_id', 64).nullable();
    table.string('project_name', 255).nullable();
    table.string('domain_id', 64).nullable();
    table.string('domain_name', 255).nullable();
    table.string('server_id', 64).nullable();
    table.string('server_name', 255).nullable();
    /** null for an unprotected volume */
    table.string('policy', 64).nullable();
    table.integer('retention').nullable();
    /** the latest closed period (CMP-1 Pc) */
    table.string('period', 16).nullable();
    table.integer('snapshot_count').notNullable();
    table.timestamp('last_snapshot_at', { useTz: true }).nullable();
    table.string('status', 20).notNullable();
    /** 0 non-compliant, 1 pending, 2 compliant, 3 unprotected: the list order of CMP-3 */
    table.integer('status_rank').notNullable();
    table.string('reason', 255).nullable();
    table.string('sla_days', 64).nullable();
    table.index(['evaluation_id', 'status_rank', 'last_snapshot_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('compliance_rows');
  await knex.schema.dropTable('compliance_evaluations');
};
