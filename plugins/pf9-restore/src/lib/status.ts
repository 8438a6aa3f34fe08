import {
  pf9Permissions,
  RESTORE_TERMINAL_STATUSES,
  RestoreJobStatus,
  RestoreJobSummary,
} from '@internal/plugin-pf9-common';
import { formatDuration, runDuration } from '../pf9Inventory';

export { formatDateTime } from '../pf9Inventory';

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

/** How long a step took (or has run so far), or a dash before it started. */
export function stepDuration(
  startedAt: string | null,
  finishedAt: string | null,
  now = Date.now(),
): string {
  return startedAt
    ? formatDuration(runDuration(startedAt, finishedAt, now))
    : '—';
}
