import type { RestoreRun } from '../context';

/** A request a mutating step would send; what a dry-run shows (RST-18). */
export interface SimulatedRequest {
  method: 'POST' | 'PUT' | 'DELETE';
  service: 'compute' | 'block-storage' | 'network' | 'image';
  path: string;
  body?: unknown;
}

export interface StepHandler {
  /**
   * Reads of existing resources run for real in a dry-run; writes, and waits or checks of what a write
   * would have created, are SIMULATED there.
   */
  inDryRun: 'run' | 'simulate';
  run(run: RestoreRun): Promise<void>;
  simulate(run: RestoreRun): SimulatedRequest[] | Promise<SimulatedRequest[]>;
}
