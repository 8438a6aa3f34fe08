/**
 * The seam between the restore routes/planner and the executor: the router validates input, checks
 * permissions and confirmations and records audit events; the executor owns every state transition
 * after PLANNED (compare-and-set, RST-13) and everything that talks to OpenStack after the plan.
 */
import { ConflictError } from '@backstage/errors';
import type { RestoreJobStatus } from '@internal/plugin-pf9-common';

export interface RestoreJobControl {
  /**
   * RST-11 once the router has checked permission and confirmation: PLANNED → PENDING by compare-and-set
   * and queued for a worker. Throws `RestoreConflictError` (409) with code PLAN_NOT_EXECUTABLE,
   * PLAN_EXPIRED (the job becomes EXPIRED), PLAN_NOT_ELIGIBLE or RESTORE_ALREADY_ACTIVE (with `activeJobId`).
   */
  execute(input: {
    jobId: string;
    dryRun: boolean;
    actor: string;
  }): Promise<{ jobId: string; status: 'PENDING' }>;
  /** RST-16; throws `RestoreConflictError` PAST_POINT_OF_NO_RETURN or JOB_NOT_CANCELABLE. */
  cancel(input: {
    jobId: string;
    actor: string;
    reason?: string;
  }): Promise<{ status: RestoreJobStatus }>;
  /** RST-21: deletes job-created resources the ledger still lists as present (idempotent). */
  cleanup(input: { jobId: string; actor: string }): Promise<void>;
  /** RST-21: for SUCCEEDED jobs, after the router checked superadmin and the typed confirmation. */
  cleanupStorage(input: {
    jobId: string;
    actor: string;
    deleteOldVolume: boolean;
    deleteSourceSnapshot: boolean;
    deleteSafetySnapshots: boolean;
  }): Promise<{ warnings: string[] }>;
}

/**
 * A refused restore request (409) carrying the SPEC code, e.g. RESTORE_ALREADY_ACTIVE; Backstage's error
 * handler serialises `code` and `details`, so clients read `error.details.code`.
 */
export class RestoreConflictError extends ConflictError {
  readonly details: Record<string, unknown>;
  constructor(
    readonly code: string,
    message: string,
    extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.details = { code, ...extra };
  }
}
