import { Counter, Gauge, Registry } from 'prom-client';

/** One sample of a family: its labels (without `cloud`, which every family carries) and its value. */
export interface MetricSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * A metric family rendered from stored data at scrape time (SPEC MON-6): the areas describe their families
 * with this, and never keep in-process counters, so every replica renders the same numbers.
 */
export interface MetricFamily {
  name: string;
  help: string;
  /** Gauges for levels; counters for cumulative counts kept in the store (MON-8). */
  type: 'gauge' | 'counter';
  labelNames: string[];
  /** Samples of one cloud. */
  collect(cloudId: string): Promise<MetricSample[]>;
}

/** Registers the families in both registries (text 0.0.4 and OpenMetrics), each filled per scrape. */
export function registerFamilies(
  families: MetricFamily[],
  cloudIds: string[],
  registries: Registry<any>[],
): void {
  for (const family of families) {
    const labelNames = ['cloud', ...family.labelNames];
    const collect = async function collect(this: Gauge | Counter) {
      this.reset();
      for (const cloud of cloudIds) {
        for (const sample of await family.collect(cloud)) {
          const labels = { cloud, ...sample.labels };
          if (this instanceof Gauge) {
            this.set(labels, sample.value);
          } else {
            this.inc(labels, sample.value);
          }
        }
      }
    };
    const options = {
      name: family.name,
      help: family.help,
      labelNames,
      registers: registries,
      collect,
    };
    if (family.type === 'gauge') {
      new Gauge(options); // eslint-disable-line no-new
    } else {
      new Counter(options); // eslint-disable-line no-new
    }
  }
}
