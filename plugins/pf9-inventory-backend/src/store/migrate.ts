import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-pf9-inventory-backend',
  'migrations',
);

/** Applies the plugin's migrations unless the operator manages them (backend.database skipMigrations). */
export async function migrateStore(database: DatabaseService): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await client.migrate.latest({ directory: migrationsDir });
  }
  return client;
}

export async function rollbackStore(client: Knex): Promise<void> {
  await client.migrate.rollback({ directory: migrationsDir }, true);
}

/** The database kind for /health, from the Knex client in use. */
export function databaseKind(client: Knex): 'sqlite' | 'postgres' | 'mysql' {
  const name = String(client.client.config.client);
  if (name.includes('sqlite')) return 'sqlite';
  if (name.includes('mysql')) return 'mysql';
  return 'postgres';
}
