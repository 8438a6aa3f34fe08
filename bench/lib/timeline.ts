/* eslint-disable no-console */
/**
 * Where a side's wall time went, as the simulator saw it: per kind of request, when the first one
 * arrived and the last one was answered, and how much of that span the simulator was serving at least
 * one request (the rest it waited for the client).
 */
import type { RequestLogEntry } from './simChild';
import { ms } from './stats';

const KINDS: [string, (e: RequestLogEntry) => boolean][] = [
  ['token', e => e.method === 'POST' && e.path.endsWith('/auth/tokens')],
  ['quota', e => e.path.includes('/os-quota-sets/')],
  ['create', e => e.method === 'POST' && /\/snapshots$/.test(e.path)],
  ['delete', e => e.method === 'DELETE' && e.path.includes('/snapshots/')],
  ['other', () => true],
];

type Interval = [number, number];

/** Total length of the union of the intervals, and the longest gap between them. */
function coverage(intervals: Interval[]): { busy: number; gap: number } {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let busy = 0;
  let gap = 0;
  let [start, end] = sorted[0];
  for (const [s, e] of sorted.slice(1)) {
    if (s > end) {
      busy += end - start;
      gap = Math.max(gap, s - end);
      [start, end] = [s, e];
    } else end = Math.max(end, e);
  }
  return { busy: busy + end - start, gap };
}

/** One line per kind of request; times are from `t0` (epoch ms: when the side's clock started). */
export function printTimeline(
  side: string,
  t0: number,
  log: RequestLogEntry[],
) {
  const groups = new Map<string, Interval[]>();
  for (const e of log) {
    const kind = KINDS.find(([, test]) => test(e))![0];
    const start = Date.parse(e.time) - t0;
    if (!groups.has(kind)) groups.set(kind, []);
    groups.get(kind)!.push([start, start + e.durationMs]);
  }
  for (const [kind] of KINDS) {
    const intervals = groups.get(kind);
    if (!intervals) continue;
    const first = Math.min(...intervals.map(i => i[0]));
    const last = Math.max(...intervals.map(i => i[1]));
    const { busy, gap } = coverage(intervals);
    console.log(
      `  ${side} ${kind.padEnd(6)} ${String(intervals.length).padStart(
        6,
      )} requests, ${ms(first)} → ${ms(last)}, simulator serving ${Math.round(
        (100 * busy) / (last - first),
      )}% of that span, longest gap ${ms(gap)}`,
    );
  }
}
