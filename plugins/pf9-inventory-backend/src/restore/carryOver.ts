/**
 * RST-9 rules that need no OpenStack call: the restored server's name, its metadata with the restore
 * markers, and the data-volume snapshot that matches the boot point (RST-7).
 */
import type { RestoreMode } from '@internal/plugin-pf9-common';
import type { RestorePointDetail } from './points';

const pad = (n: number) => String(n).padStart(2, '0');

/** `<original>-restored-<YYYYMMDD-HHMM>` in UTC (side_by_side), the original name (replace). */
export function restoredName(
  original: string,
  mode: RestoreMode,
  at: Date,
  newName?: string,
): string {
  if (newName) return newName;
  if (mode === 'replace') return original;
  const stamp = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(
    at.getUTCDate(),
  )}-${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}`;
  return `${original}-restored-${stamp}`;
}

export function restoredMetadata(
  original: Record<string, string> | undefined,
  markers: { serverId: string; pointId: string; jobId: string },
): Record<string, string> {
  return {
    ...(original ?? {}),
    restored_from_server: markers.serverId,
    restored_from_point: markers.pointId,
    restore_job_id: markers.jobId,
  };
}

const MATCH_WINDOW_MS = 60 * 60_000;

/**
 * The snapshot of a data volume that belongs with the boot point: same policy and period metadata,
 * else the one closest in created_at within ±60 min; null when none qualifies.
 */
export function matchingSnapshot(
  boot: Pick<RestorePointDetail, 'policy' | 'period' | 'createdAt'>,
  candidates: RestorePointDetail[],
): RestorePointDetail | null {
  if (boot.policy && boot.period) {
    const same = candidates.find(
      c => c.policy === boot.policy && c.period === boot.period,
    );
    if (same) return same;
  }
  const at = Date.parse(boot.createdAt);
  let best: RestorePointDetail | null = null;
  let bestGap = Infinity;
  for (const c of candidates) {
    const gap = Math.abs(Date.parse(c.createdAt) - at);
    if (gap <= MATCH_WINDOW_MS && gap < bestGap) {
      best = c;
      bestGap = gap;
    }
  }
  return best;
}
