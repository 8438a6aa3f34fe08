import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import type { ComplianceStatus } from '@internal/plugin-pf9-common';

/** A CMP-1 pair status (or `unprotected`) with the matching status icon. */
export function ComplianceStatusLabel(props: { status: ComplianceStatus }) {
  const { status } = props;
  switch (status) {
    case 'compliant':
      return <StatusOK>{status}</StatusOK>;
    case 'pending':
      return <StatusPending>{status}</StatusPending>;
    case 'quota_blocked':
      return <StatusWarning>{status}</StatusWarning>;
    case 'missing':
    case 'misconfigured':
      return <StatusError>{status}</StatusError>;
    default:
      return <StatusAborted>{status}</StatusAborted>;
  }
}
