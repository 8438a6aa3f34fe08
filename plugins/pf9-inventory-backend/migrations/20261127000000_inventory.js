// @ts-check

/**
 * The inventory area (SPEC §1.1–1.6): sync runs, the current rows of the 29 resource types, their
 * versions and their deletion records. Every row carries cloud_id: each cloud is its own namespace.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('inventory_runs', table => {
    table.string('id', 64).primary();
    table.string('cloud_id', 64).notNullable();
    table.string('trigger', 20).notNullable();
    table.string('triggered_by', 255).notNullable();
    table.string('status', 20).notNullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.integer('timeout_ms').notNullable();
    /** one outcome per type: {type, status, count, pages, durationMs, error?, partitions?} */
    table.text('type_outcomes').nullable();
    /** {recorded, verifiedByGet, guardedTypes, ...} */
    table.text('deletion_stats').nullable();
    table.text('error').nullable();
    table.index(['cloud_id', 'started_at']);
  });
  // At most one running sync per cloud, across every backend instance sharing the database (INV-1).
  await knex.raw(
    "CREATE UNIQUE INDEX inventory_runs_one_running ON inventory_runs (cloud_id) WHERE status = 'running'",
  );

  await knex.schema.createTable('inventory_resources', table => {
    table.string('cloud_id', 64).notNullable();
    table.string('type', 40).notNullable();
    table.string('id', 255).notNullable();
    table.string('name', 255).nullable();
    table.string('project_id', 64).nullable();
    table.string('domain_id', 64).nullable();
    table.string('status', 64).nullable();
    /** the listing partition that owns the row (users/groups: domain; quotas: project/service) */
    table.string('partition_key', 255).nullable();
    /** lower-cased name, id and IP addresses for the free-text filter */
    table.text('search_text').nullable();
    table.text('key_fields').notNullable();
    table.text('raw').nullable();
    table.text('derived').nullable();
    table.string('content_hash', 64).notNullable();
    table.integer('version_no').notNullable();
    table.boolean('deleted').notNullable().defaultTo(false);
    table.string('first_seen_run', 64).notNullable();
    table.string('last_seen_run', 64).notNullable();
    table.timestamp('last_seen_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(['cloud_id', 'type', 'id']);
    table.index(['cloud_id', 'type', 'project_id']);
    table.index(['cloud_id', 'type', 'domain_id']);
    table.index(['cloud_id', 'type', 'name']);
  });

  await knex.schema.createTable('inventory_versions', table => {
    table.bigIncrements('seq');
    table.string('cloud_id', 64).notNullable();
    table.string('type', 40).notNullable();
    table.string('resource_id', 255).notNullable();
    table.integer('version_no').notNullable();
    table.string('run_id', 64).notNullable();
    table.string('change_type', 20).notNullable();
    table.timestamp('recorded_at', { useTz: true }).notNullable();
    table.string('content_hash', 64).notNullable();
    table.text('content').notNullable();
    table.text('changed_fields').notNullable();
    table.string('project_id', 64).nullable();
    table.string('domain_id', 64).nullable();
    table.unique(['cloud_id', 'type', 'resource_id', 'version_no']);
    table.index(['cloud_id', 'run_id']);
    table.index(['cloud_id', 'recorded_at']);
  });

  await knex.schema.createTable('inventory_deletions', table => {
    table.bigIncrements('seq');
    table.string('cloud_id', 64).notNullable();
    table.string('type', 40).notNullable();
    table.string('resource_id', 255).notNullable();
    table.string('name', 255).nullable();
    table.string('project_id', 64).nullable();
    table.string('project_name', 255).nullable();
    table.string('domain_id', 64).nullable();
    table.string('domain_name', 255).nullable();
    table.string('last_seen_run_id', 64).notNullable();
    table.timestamp('last_seen_at', { useTz: true }).notNullable();
    table.string('detected_in_run_id', 64).notNullable();
    table.timestamp('detected_at', { useTz: true }).notNullable();
    table.string('reason', 64).notNullable();
    table.boolean('verified_by_get').notNullable();
    /** the final normalised form (last known content) */
    table.text('content').notNullable();
    table.boolean('reverted').notNullable().defaultTo(false);
    table.string('reverted_in_run_id', 64).nullable();
    table.index(['cloud_id', 'type', 'detected_at']);
    table.index(['cloud_id', 'resource_id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('inventory_deletions');
  await knex.schema.dropTable('inventory_versions');
  await knex.schema.dropTable('inventory_resources');
  await knex.schema.dropTable('inventory_runs');
};
