// @ts-check

/**
 * INV-21: an admin's decision on a guarded deletion batch (the candidates stay in the run's type outcome).
 * One decision per run and type, so a batch is never applied twice.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('inventory_guard_decisions', table => {
    table.string('cloud_id', 64).notNullable();
    table.string('run_id', 64).notNullable();
    table.string('type', 40).notNullable();
    /** `approved` or `rejected` */
    table.string('decision', 16).notNullable();
    table.string('decided_by', 255).notNullable();
    table.timestamp('decided_at', { useTz: true }).notNullable();
    table.integer('recorded').notNullable().defaultTo(0);
    table.integer('kept').notNullable().defaultTo(0);
    table.primary(['run_id', 'type']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('inventory_guard_decisions');
};
