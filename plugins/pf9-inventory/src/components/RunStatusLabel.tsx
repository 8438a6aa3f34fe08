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
} from '@internal/plugin-pf9-common';

/** A run status (INV-2) or a type outcome status with the matching status icon. */
export function RunStatusLabel(props: {
  status: InventoryRunStatus | InventoryTypeStatus;
}) {
  const { status } = props;
  switch (status) {
    case 'succeeded':
    case 'complete':
      return <StatusOK>{status}</StatusOK>;
    case 'running':
      return <StatusRunning>{status}</StatusRunning>;
    case 'partial':
    case 'incomplete':
    case 'complete_guarded':
      return <StatusWarning>{status}</StatusWarning>;
    case 'failed':
      return <StatusError>{status}</StatusError>;
    default:
      return <StatusAborted>{status}</StatusAborted>;
  }
}
