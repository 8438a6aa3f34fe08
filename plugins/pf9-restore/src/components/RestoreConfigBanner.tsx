import { WarningPanel } from '@backstage/core-components';
import type { RestoreConfig } from '@internal/plugin-pf9-common';

/** Says why restores are refused (RST-1) or cannot use the service user; nothing when all is set. */
export function RestoreConfigBanner(props: { config: RestoreConfig }) {
  const { config } = props;
  if (!config.enabled) {
    return (
      <WarningPanel
        severity="warning"
        title="VM restore is disabled"
        message="An administrator turns it on with pf9.restore.enabled in the app config. Until then no restore can be planned or run; past jobs stay listed."
      />
    );
  }
  if (!config.serviceUserConfigured) {
    return (
      <WarningPanel
        severity="info"
        title="No restore service user is configured"
        message="Restores run with the cloud's own credentials."
      />
    );
  }
  return null;
}
