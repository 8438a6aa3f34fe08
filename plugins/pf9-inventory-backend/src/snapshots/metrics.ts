import { Knex } from 'knex';
import { MetricFamily } from '../metrics/families';
import { SnapshotRunStore } from './runs';

/** Snapshot counters (SPEC MON-8), counted from the stored per-pair records (dry-runs write none of these). */
export function snapshotMetricFamilies(db: Knex): MetricFamily[] {
  const runs = new SnapshotRunStore(db);
  const counter = (
    name: string,
    help: string,
    action: 'created' | 'deleted',
  ): MetricFamily => ({
    name,
    help,
    type: 'counter',
    labelNames: ['policy'],
    collect: async cloudId =>
      (await runs.actionTotals(cloudId, action)).map(row => ({
        labels: { policy: row.policy },
        value: row.n,
      })),
  });
  return [
    counter(
      'pf9_snapshots_created_total',
      'Snapshots the cycle created, per policy',
      'created',
    ),
    counter(
      'pf9_snapshots_deleted_total',
      'Snapshots the cycle deleted (retention and zombie cleanup), per policy',
      'deleted',
    ),
  ];
}
