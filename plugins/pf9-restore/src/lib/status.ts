import {
  pf9Permissions,
  RESTORE_TERMINAL_STATUSES,
  RestoreJobStatus,
  RestoreJobSummary,
} from '@internal/plugin-pf9-common';

export const RESTORE_JOB_STATUSES: RestoreJobStatus[] = [
  'PLANNED',
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'CANCEL_REQUESTED',
  'ROLLING_BACK',
  'CANCELED',
  'FAILED',
  'ROLLBACK_FAILED',
  'EXPIRED',
  'DRY_RUN_COMPLETED',
];

/** RST-16: the states a cancel request can still act on. */
const CANCELABLE: RestoreJobStatus[] = ['PLANNED', 'PENDING', 'RUNNING'];

export function isTerminal(status: RestoreJobStatus): boolean {
  return RESTORE_TERMINAL_STATUSES.includes(status);
}

/** Whether the user may cancel the job: it is still cancelable and the user may run restores (RST-16). */
export function canCancel(
  job: Pick<RestoreJobSummary, 'status'>,
  permissions: string[],
): boolean {
  return (
    CANCELABLE.includes(job.status) &&
    permissions.includes(pf9Permissions.restoreExecuteSideBySide.name)
  );
}

/** `2026-11-26T09:00:00Z` in the browser's locale, or a dash. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** How long a step took (or has run so far) as `850 ms`, `12.3 s` or `4 min 05 s`. */
export function stepDuration(
  startedAt: string | null,
  finishedAt: string | null,
  now = Date.now(),
): string {
  if (!startedAt) return '—';
  const ms =
    (finishedAt ? Date.parse(finishedAt) : now) - Date.parse(startedAt);
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms - minutes * 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}
