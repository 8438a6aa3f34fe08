/**
 * What one execution of a restore job carries from step to step. Everything durable is in the store
 * (status, steps, ledger), so a resumed job rebuilds this from the tables and carries on.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import type {
  RestoreIssue,
  RestoreStepName,
} from '@internal/plugin-pf9-common';
import type { CloudConfig } from '../config';
import { OpenStackClient, ResolvedCloud } from '../openstack';
import {
  LedgerKind,
  LedgerRow,
  RestoreJobRow,
  RestoreJobStore,
} from './jobStore';
import type { RestorePlanDetails } from './types';
import { RestoreTimings } from './waits';

export type ClientFactory = (
  cloud: CloudConfig | ResolvedCloud,
  options: { readOnly: boolean },
) => OpenStackClient;

export interface RestoreSettings {
  /** RST-12 step 4 */
  stopOriginal: boolean;
  /** RST-17: rollback keeps the volumes the job created */
  keepVolumesOnFailure: boolean;
  timings: RestoreTimings;
}

/** The cancel request reached the executor (RST-16): stop and roll back. */
export class RestoreCancelRequested extends Error {
  constructor() {
    super('cancel requested');
    this.name = 'RestoreCancelRequested';
  }
}

/** A step failed for a reason an operator must read; the job rolls back. */
export class RestoreStepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreStepError';
  }
}

export interface RestoreRun {
  job: RestoreJobRow;
  details: RestorePlanDetails;
  /** the first 8 characters of the job id, in every deterministic name (RST-12, RST-20) */
  jobId8: string;
  dryRun: boolean;
  store: RestoreJobStore;
  settings: RestoreSettings;
  logger: LoggerService;
  /** the admin credential: reads that need every project's view */
  admin: OpenStackClient;
  /** a session scoped to the server's project; every create and delete goes through it */
  scoped(): Promise<OpenStackClient>;
  /** throws RestoreCancelRequested or the runner's ownership loss; called before steps and in waits */
  checkpoint(): Promise<void>;
  /** user_data as Nova wants it (base64), decrypted only now (RST-9) */
  userData(): string | null;
  warn(issue: RestoreIssue): Promise<void>;
  record(entry: {
    kind: LedgerKind;
    resourceId: string;
    name?: string | null;
    createdByJob: boolean;
    state?: 'present' | 'deleted' | 'kept';
    step: RestoreStepName | 'ROLLBACK';
  }): Promise<void>;
  ledger(): Promise<LedgerRow[]>;
  /** details a step reports (shown with the step) */
  detail: Record<string, unknown>;
}

/** A ledger entry the job created that is still there. */
export function presentCreated(rows: LedgerRow[], kind: LedgerKind) {
  return rows.filter(
    r => r.kind === kind && r.createdByJob && r.state !== 'deleted',
  );
}

/** The metadata every created resource carries, so a resumed job can find it (RST-20). */
export function jobMetadata(run: RestoreRun): Record<string, string> {
  return { restore_job_id: run.job.id };
}

/** The id of the created resource of a kind with this name, from the ledger. */
export function createdId(
  ledger: LedgerRow[],
  kind: LedgerRow['kind'],
  name: string | null | undefined,
): string | undefined {
  return presentCreated(ledger, kind).find(e => e.name === name)?.resourceId;
}

/** The server the job restored (not a recovery server). */
export function createdServerId(ledger: LedgerRow[]): string {
  const entry = presentCreated(ledger, 'server').find(
    e => e.step === 'CREATE_SERVER',
  );
  if (!entry) throw new RestoreStepError('the restored server was not created');
  return entry.resourceId;
}

/** Wait options of a step: the run's poll interval, cancel checks at every poll (RST-16). */
export const stepWaitOptions = (run: RestoreRun, timeoutMs: number) => ({
  timeoutMs,
  pollMs: run.settings.timings.pollMs,
  check: () => run.checkpoint(),
});
