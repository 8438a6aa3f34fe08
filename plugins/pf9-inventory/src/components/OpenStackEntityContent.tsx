import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import type { InventoryType } from '@internal/plugin-pf9-common';
import useAsync from 'react-use/esm/useAsync';
import { pf9ApiRef } from '../api';
import {
  ANNOTATION_PF9_CLOUD,
  ANNOTATION_PF9_TYPE,
  inventoryPathOf,
  openStackRefOf,
} from '../lib/related';
import { rootRouteRef } from '../routes';
import { RelatedResources } from './RelatedResources';
import { ResourceDetailsView } from './ResourceDetails';
import { ResourceHistory } from './ResourceHistory';
import { RestoreServerLink } from './RestoreServerLink';

/**
 * The OpenStack tab of an entity the pf9 catalog module emits (Domain, System or Resource carrying the
 * `pf9.io/cloud-id` and `pf9.io/resource-type` annotations): the stored resource's key, derived and raw
 * fields, its history timeline with each version's changes, and the resources it names.
 */
export function OpenStackEntityContent() {
  const { entity } = useEntity();
  const ref = openStackRefOf(entity);
  if (!ref) {
    return (
      <WarningPanel
        title="Not an OpenStack resource"
        message={`This entity lacks a valid ${ANNOTATION_PF9_CLOUD} or ${ANNOTATION_PF9_TYPE} annotation.`}
      />
    );
  }
  return <OpenStackResourceContent {...ref} />;
}

function OpenStackResourceContent(props: {
  cloudId: string;
  type: InventoryType;
  id: string;
}) {
  const { cloudId, type, id } = props;
  const client = useApi(pf9ApiRef);
  const inventoryRoute = useRouteRef(rootRouteRef);
  const { value, loading, error } = useAsync(
    () => client.getResource(type, id, { cloudId }),
    [client, type, id, cloudId],
  );

  if (loading) return <Progress />;
  if (error || !value) {
    return <ResponseErrorPanel error={error ?? new Error('Not found')} />;
  }
  const deepLink = inventoryRoute
    ? {
        title: 'Open in PF9 inventory',
        link: `${inventoryRoute()}/${inventoryPathOf({ type, id })}`,
      }
    : undefined;
  return (
    <Grid container spacing={3} alignItems="stretch">
      {type === 'server' && (
        <Grid item xs={12}>
          <RestoreServerLink cloudId={cloudId} serverId={id} />
        </Grid>
      )}
      <Grid item xs={12} md={7}>
        <InfoCard title="OpenStack resource" deepLink={deepLink}>
          <ResourceDetailsView
            type={type}
            id={id}
            cloudId={cloudId}
            resource={value}
            withHistory={false}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={5}>
        <InfoCard title="Related resources">
          <RelatedResources cloudId={cloudId} resource={value} />
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="History">
          <ResourceHistory type={type} id={id} cloudId={cloudId} />
        </InfoCard>
      </Grid>
    </Grid>
  );
}
