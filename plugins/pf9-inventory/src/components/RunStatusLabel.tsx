import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type {
  InventoryRunStatus,
  InventoryTypeStatus,
  SnapshotRunStatus,
} from '@internal/plugin-pf9-common';

/** A sync run status (INV-2), a type outcome status or a snapshot run status (SNAP-24) with the matching status icon. */
export function RunStatusLabel(props: {
  status: InventoryRunStatus | InventoryTypeStatus | SnapshotRunStatus;
}) {
  const { status } = props;
  switch (status) {
    case 'succeeded':
    case 'complete':
    case 'completed':
      return <StatusOK>{status}</StatusOK>;
    case 'running':
      return <StatusRunning>{status}</StatusRunning>;
    case 'partial':
    case 'incomplete':
    case 'complete_guarded':
    case 'completed_with_errors':
      return <StatusWarning>{status}</StatusWarning>;
    case 'failed':
      return <StatusError>{status}</StatusError>;
    default:
      return <StatusAborted>{status}</StatusAborted>;
  }
}
