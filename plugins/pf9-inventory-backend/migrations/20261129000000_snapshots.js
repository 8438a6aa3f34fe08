// @ts-check

/**
 * The snapshots area (SPEC §2): policies (seeded), the stored protection of (volume, policy) pairs,
 * cycle runs and their per-pair records.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('snapshot_policies', table => {
    table.string('name', 64).primary();
    table.string('frequency', 10).notNullable();
    table.integer('day_of_week').nullable();
    table.integer('day_of_month').nullable();
    table.string('window_start', 5).notNullable();
    table.integer('window_hours').notNullable();
    table.string('timezone', 64).notNullable();
    table.integer('default_retention').notNullable();
    table.boolean('enabled').notNullable().defaultTo(true);
    table.text('description').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
  const now = new Date();
  /**
   * @param {string} name
   * @param {string} frequency
   * @param {number | null} dayOfMonth
   * @param {number} retention
   * @param {number} windowHours
   * @param {string} description
   */
  const seed = (
    name,
    frequency,
    dayOfMonth,
    retention,
    windowHours,
    description,
  ) => ({
    name,
    frequency,
    day_of_week: null,
    day_of_month: dayOfMonth,
    window_start: '00:00',
    window_hours: windowHours,
    timezone: 'UTC',
    default_retention: retention,
    enabled: true,
    description,
    created_at: now,
    updated_at: now,
  });
  await knex('snapshot_policies').insert([
    seed('daily_5', 'daily', null, 5, 24, 'Daily snapshot, keep 5'),
    seed(
      'monthly_1st',
      'monthly',
      1,
      1,
      72,
      'Monthly snapshot on the 1st, keep 1',
    ),
    seed(
      'monthly_15th',
      'monthly',
      15,
      1,
      72,
      'Monthly snapshot on the 15th, keep 1',
    ),
  ]);

  /** The effective protection of each (volume, policy) pair, as of the last complete cycle (SNAP-10). */
  await knex.schema.createTable('snapshot_assignments', table => {
    table.string('cloud_id', 64).notNullable();
    table.string('volume_id', 64).notNullable();
    table.string('policy', 64).notNullable();
    table.string('source', 80).notNullable();
    table.string('project_id', 64).nullable();
    table.string('domain_id', 64).nullable();
    table.timestamp('first_protected_at', { useTz: true }).notNullable();
    table.timestamp('evaluated_at', { useTz: true }).notNullable();
    table.primary(['cloud_id', 'volume_id', 'policy']);
    table.index(['policy']);
  });

  await knex.schema.createTable('snapshot_runs', table => {
    table.string('id', 64).primary();
    table.string('cloud_id', 64).notNullable();
    table.string('trigger', 20).notNullable();
    table.string('triggered_by', 255).notNullable();
    table.boolean('dry_run').notNullable();
    table.boolean('catch_up').notNullable();
    /** the policies the run was limited to (JSON array), null for all */
    table.text('policies').nullable();
    table.string('status', 30).notNullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.integer('timeout_ms').notNullable();
    table.integer('considered').notNullable().defaultTo(0);
    table.integer('created').notNullable().defaultTo(0);
    table.integer('deleted').notNullable().defaultTo(0);
    table.integer('skipped').notNullable().defaultTo(0);
    table.integer('deferred').notNullable().defaultTo(0);
    table.integer('quota_blocked').notNullable().defaultTo(0);
    table.integer('failed').notNullable().defaultTo(0);
    table.text('error_summary').nullable();
    table.index(['cloud_id', 'started_at']);
  });
  // One cycle per cloud at a time, across every backend instance sharing the database (SNAP-24).
  await knex.raw(
    "CREATE UNIQUE INDEX snapshot_runs_one_running ON snapshot_runs (cloud_id) WHERE status = 'running'",
  );

  await knex.schema.createTable('snapshot_records', table => {
    table.bigIncrements('id');
    table.string('run_id', 64).notNullable();
    table.string('cloud_id', 64).notNullable();
    table.timestamp('recorded_at', { useTz: true }).notNullable();
    table.string('volume_id', 64).notNullable();
    table.string('volume_name', 255).nullable();
    table.string('project_id', 64).nullable();
    table.string('project_name', 255).nullable();
    table.string('domain_id', 64).nullable();
    table.string('domain_name', 255).nullable();
    table.string('server_id', 64).nullable();
    table.string('server_name', 255).nullable();
    table.string('policy', 64).nullable();
    table.string('period', 16).nullable();
    table.integer('retention').nullable();
    table.string('action', 30).notNullable();
    table.string('reason', 255).nullable();
    table.string('snapshot_id', 64).nullable();
    table.string('snapshot_name', 255).nullable();
    /** the snapshot's last known status, followed up by later cycles (SNAP-15) */
    table.string('snapshot_status', 30).nullable();
    /** the snapshot payload (never the volume's) */
    table.text('snapshot').nullable();
    table.index(['run_id', 'id']);
    table.index(['cloud_id', 'volume_id', 'policy']);
    table.index(['cloud_id', 'snapshot_id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('snapshot_records');
  await knex.schema.dropTable('snapshot_runs');
  await knex.schema.dropTable('snapshot_assignments');
  await knex.schema.dropTable('snapshot_policies');
};
