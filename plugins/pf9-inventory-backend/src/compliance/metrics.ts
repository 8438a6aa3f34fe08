import { MetricFamily } from '../metrics/families';
import { ComplianceService } from './service';

/** Compliance families (SPEC MON-8), read from the latest stored evaluation only (CMP-3). */
export function complianceMetricFamilies(
  compliance: ComplianceService,
): MetricFamily[] {
  return [
    {
      name: 'pf9_snapshot_compliance_pairs',
      help: 'Protected (volume, policy) pairs per policy and status in the latest compliance evaluation',
      type: 'gauge',
      labelNames: ['policy', 'status'],
      collect: async cloudId => {
        const latest = await compliance.latest(cloudId);
        return (latest?.rollups.byPolicy ?? []).flatMap(group =>
          Object.entries(group.pairs).map(([status, value]) => ({
            labels: { policy: group.key, status },
            value,
          })),
        );
      },
    },
    {
      name: 'pf9_snapshot_compliance_ratio',
      help: 'Compliant pairs / (compliant + non-compliant) per policy and overall (policy="all"); absent when undefined',
      type: 'gauge',
      labelNames: ['policy'],
      collect: async cloudId => {
        const latest = await compliance.latest(cloudId);
        if (!latest) return [];
        return [latest.rollups.overall, ...latest.rollups.byPolicy]
          .filter(group => group.compliancePct !== null)
          .map(group => ({
            labels: { policy: group.key },
            value: group.compliancePct! / 100,
          }));
      },
    },
    {
      name: 'pf9_snapshot_evaluation_timestamp_seconds',
      help: 'Time of the latest stored compliance evaluation',
      type: 'gauge',
      labelNames: [],
      collect: async cloudId => {
        const latest = await compliance.latest(cloudId);
        return latest
          ? [
              {
                labels: {},
                value: Date.parse(latest.evaluatedAt) / 1000,
              },
            ]
          : [];
      },
    },
  ];
}
