import { LinkButton } from '@backstage/core-components';
import RestoreIcon from '@material-ui/icons/Restore';

/** The "Restore a VM" template (templates/restore-vm) in the scaffolder, its form prefilled with the server. */
export function restoreTemplateUrl(cloudId: string, serverId: string): string {
  const formData = encodeURIComponent(JSON.stringify({ cloudId, serverId }));
  return `/create/templates/default/restore-vm?formData=${formData}`;
}

/** The entry point of a VM restore from a server's entity page. */
export function RestoreServerLink(props: {
  cloudId: string;
  serverId: string;
}) {
  return (
    <LinkButton
      to={restoreTemplateUrl(props.cloudId, props.serverId)}
      variant="outlined"
      color="primary"
      startIcon={<RestoreIcon />}
    >
      Restore this VM
    </LinkButton>
  );
}
