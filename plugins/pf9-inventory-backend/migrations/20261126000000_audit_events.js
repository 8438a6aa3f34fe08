// @ts-check

/**
 * The append-only audit trail (SPEC ACL-7): one row per mutating action, export or denial.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('audit_events', table => {
    table.bigIncrements('id');
    table.string('event_id', 100).notNullable();
    table.string('severity', 20).notNullable();
    table.string('actor', 255).notNullable();
    table.string('target_type', 100).nullable();
    table.string('target_id', 255).nullable();
    table.string('target_name', 255).nullable();
    table.string('project_id', 64).nullable();
    table.string('domain_id', 64).nullable();
    table.string('method', 10).nullable();
    table.string('route', 500).nullable();
    table.string('client_ip', 64).nullable();
    table.string('outcome', 10).notNullable();
    table.text('error').nullable();
    table.text('details').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['event_id', 'created_at']);
    table.index(['actor', 'created_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('audit_events');
};
