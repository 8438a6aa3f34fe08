import { Knex } from 'knex';
import { MetricFamily, MetricSample } from '../metrics/families';
import { toRun } from './runs';
import { InventoryRun } from './types';

/** How many recent finished runs are scanned for each type's last complete listing. */
const RECENT_RUNS = 50;

async function recentFinishedRuns(
  db: Knex,
  cloudId: string,
): Promise<InventoryRun[]> {
  const rows = await db('inventory_runs')
    .where({ cloud_id: cloudId })
    .whereNotNull('finished_at')
    .orderBy('started_at', 'desc')
    .limit(RECENT_RUNS);
  return rows.map(toRun);
}

/** Per type, a value from the newest run whose outcome for that type passes `accept`. */
function perType(
  runs: InventoryRun[],
  accept: (status: string) => boolean,
  value: (run: InventoryRun, outcome: InventoryRun['types'][number]) => number,
): MetricSample[] {
  const seen = new Map<string, number>();
  for (const run of runs) {
    for (const outcome of run.types) {
      if (!seen.has(outcome.type) && accept(outcome.status)) {
        seen.set(outcome.type, value(run, outcome));
      }
    }
  }
  return [...seen].map(([type, v]) => ({ labels: { type }, value: v }));
}

/** The inventory's families of SPEC MON-8, all read from the inventory tables. */
export function inventoryMetricFamilies(db: Knex): MetricFamily[] {
  return [
    {
      name: 'pf9_inventory_resources',
      help: 'Stored (not deleted) resources per type',
      type: 'gauge',
      labelNames: ['type'],
      collect: async cloudId =>
        (
          (await db('inventory_resources')
            .where({ cloud_id: cloudId, deleted: false })
            .groupBy('type')
            .select('type')
            .count({ n: '*' })) as Array<{ type: string; n: string | number }>
        ).map(row => ({
          labels: { type: String(row.type) },
          value: Number(row.n),
        })),
    },
    {
      name: 'pf9_inventory_last_sync_timestamp_seconds',
      help: 'Finish time of the last run whose listing of the type was complete',
      type: 'gauge',
      labelNames: ['type'],
      collect: async cloudId =>
        perType(
          await recentFinishedRuns(db, cloudId),
          status => status === 'complete',
          run => new Date(run.finishedAt!).getTime() / 1000,
        ),
    },
    {
      name: 'pf9_inventory_sync_duration_seconds',
      help: "Duration of the type's listing in the last finished run",
      type: 'gauge',
      labelNames: ['type'],
      collect: async cloudId =>
        perType(
          await recentFinishedRuns(db, cloudId),
          () => true,
          (_run, outcome) => (outcome.durationMs ?? 0) / 1000,
        ),
    },
    {
      name: 'pf9_inventory_listing_complete',
      help: "1 when the type's listing in the last finished run was complete, else 0",
      type: 'gauge',
      labelNames: ['type'],
      collect: async cloudId =>
        perType(
          await recentFinishedRuns(db, cloudId),
          () => true,
          (_run, outcome) => (outcome.status === 'complete' ? 1 : 0),
        ),
    },
    {
      name: 'pf9_project_info',
      help: 'Project names and domains, to join with the per-project families; always 1',
      type: 'gauge',
      labelNames: ['project_id', 'project', 'domain_id', 'domain'],
      collect: async cloudId => {
        const projects = await db('inventory_resources as p')
          .leftJoin('inventory_resources as d', join =>
            join
              .on('d.cloud_id', 'p.cloud_id')
              .andOn('d.id', 'p.domain_id')
              .andOnVal('d.type', 'domain'),
          )
          .where({
            'p.cloud_id': cloudId,
            'p.type': 'project',
            'p.deleted': false,
          })
          .select('p.id', 'p.name', 'p.domain_id', 'd.name as domain_name');
        return projects.map(p => ({
          labels: {
            project_id: p.id,
            project: p.name ?? '',
            domain_id: p.domain_id ?? '',
            domain: p.domain_name ?? '',
          },
          value: 1,
        }));
      },
    },
    {
      name: 'pf9_project_servers',
      help: 'Servers per project and status',
      type: 'gauge',
      labelNames: ['project_id', 'status'],
      collect: async cloudId =>
        (
          (await db('inventory_resources')
            .where({ cloud_id: cloudId, type: 'server', deleted: false })
            .groupBy('project_id', 'status')
            .select('project_id', 'status')
            .count({ n: '*' })) as Array<{
            project_id: string | null;
            status: string | null;
            n: string | number;
          }>
        ).map(row => ({
          labels: {
            project_id: String(row.project_id ?? ''),
            status: String(row.status ?? ''),
          },
          value: Number(row.n),
        })),
    },
  ];
}
