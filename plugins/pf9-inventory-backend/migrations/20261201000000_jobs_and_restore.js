// @ts-check

/**
 * The durable job runner (`jobs/`, owns `jobs`) and the restore area (`restore/`, owns `restore_*`).
 *
 * `jobs` is what workers claim (FOR UPDATE SKIP LOCKED on PostgreSQL) and keep alive by heartbeat; the
 * business state of a restore (its plan, status machine, steps and ledger) lives in the restore tables,
 * keyed by the same id.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('jobs', table => {
    table.string('id', 36).primary();
    table.string('kind', 40).notNullable();
    /** `queued`, `running`, `done` */
    table.string('state', 16).notNullable();
    /** jobs of one group (e.g. a project) share a concurrency limit */
    table.string('group_key', 128).nullable();
    table.string('owner_id', 128).nullable();
    table.timestamp('heartbeat_at', { useTz: true }).nullable();
    table.integer('resume_count').notNullable().defaultTo(0);
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.index(['kind', 'state', 'created_at'], 'jobs_claim_idx');
  });

  await knex.schema.createTable('restore_jobs', table => {
    table.string('id', 36).primary();
    table.string('cloud_id', 64).notNullable();
    table.string('server_id', 64).notNullable();
    table.string('server_name', 255).notNullable();
    table.string('project_id', 64).notNullable();
    table.string('domain_id', 64).nullable();
    table.string('mode', 16).notNullable();
    table.string('ip_strategy', 20).notNullable();
    table.string('restore_point_id', 64).notNullable();
    table.string('status', 20).notNullable();
    table.boolean('dry_run').notNullable().defaultTo(false);
    table.boolean('eligible').notNullable();
    /** the public plan (pf9-common RestorePlan) */
    table.text('plan').notNullable();
    /** what the executor needs beyond the public plan (restore/types.ts RestorePlanDetails) */
    table.text('details').notNullable();
    /** user_data, AES-256-GCM; wiped at a terminal state (RST-9) */
    table.text('user_data_encrypted').nullable();
    table.string('created_by', 255).notNullable();
    table.string('executed_by', 255).nullable();
    table.string('canceled_by', 255).nullable();
    table.text('cancel_reason').nullable();
    table.string('retry_of', 36).nullable();
    table.string('result_server_id', 64).nullable();
    table.string('recovered_server_id', 64).nullable();
    table.text('safety_snapshot_ids').nullable();
    table.text('warnings').nullable();
    table.text('error').nullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.index(['cloud_id', 'created_at'], 'restore_jobs_cloud_created_idx');
    table.index(['project_id'], 'restore_jobs_project_idx');
  });
  // RST-15: at most one active job per server, enforced by the database
  await knex.raw(
    `CREATE UNIQUE INDEX restore_jobs_one_active_per_server ON restore_jobs (cloud_id, server_id)
     WHERE status IN ('PENDING', 'RUNNING', 'CANCEL_REQUESTED', 'ROLLING_BACK')`,
  );

  await knex.schema.createTable('restore_steps', table => {
    table.string('job_id', 36).notNullable();
    table.integer('position').notNullable();
    table.string('name', 40).notNullable();
    table.string('status', 16).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.text('error').nullable();
    table.text('detail').nullable();
    table.primary(['job_id', 'position']);
  });

  await knex.schema.createTable('restore_ledger', table => {
    table.increments('id').primary();
    table.string('job_id', 36).notNullable();
    table.string('kind', 20).notNullable();
    table.string('resource_id', 64).notNullable();
    table.string('name', 255).nullable();
    /** `present`, `deleted`, `kept` */
    table.string('state', 16).notNullable();
    table.boolean('created_by_job').notNullable();
    table.string('step', 40).notNullable();
    table.timestamp('recorded_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.unique(['job_id', 'kind', 'resource_id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('restore_ledger');
  await knex.schema.dropTable('restore_steps');
  await knex.schema.dropTable('restore_jobs');
  await knex.schema.dropTable('jobs');
};
