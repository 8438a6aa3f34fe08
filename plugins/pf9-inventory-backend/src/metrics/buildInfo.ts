import { MetricFamily } from './families';

/** `pf9_build_info{version}`: 1, so dashboards can show which version serves each cloud. */
export function buildInfoFamily(version: string): MetricFamily {
  return {
    name: 'pf9_build_info',
    help: 'PF9 Ops build information; always 1',
    type: 'gauge',
    labelNames: ['version'],
    collect: async () => [{ labels: { version }, value: 1 }],
  };
}
