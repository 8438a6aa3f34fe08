import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity, useEntityRefLink } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';
import { pf9ApiRef } from '../api';
import { formatDateTime, typeLabel } from '../lib/format';
import { openStackRefOf } from '../lib/related';
import { KeyValueTable } from './KeyValueTable';

/** The overview card of an OpenStack entity: type, status, owner project and when it was last seen. */
export function OpenStackSummaryCard() {
  const { entity } = useEntity();
  const entityLink = useEntityRefLink();
  const client = useApi(pf9ApiRef);
  const ref = openStackRefOf(entity);
  const { value, loading, error } = useAsync(
    async () =>
      ref
        ? client.getResource(ref.type, ref.id, { cloudId: ref.cloudId })
        : undefined,
    [client, ref?.type, ref?.id, ref?.cloudId],
  );
  if (!ref) return null;
  const derived = value?.derived ?? {};
  return (
    <InfoCard
      title="OpenStack"
      deepLink={{
        title: 'Fields, history and related resources',
        link: `${entityLink(entity)}/openstack`,
      }}
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <KeyValueTable
          values={{
            cloud: ref.cloudId,
            type: typeLabel(ref.type),
            id: value.id,
            status: value.status,
            deleted: value.deleted,
            project: derived.project_name ?? value.projectId,
            domain: derived.domain_name ?? value.domainId,
            last_seen: formatDateTime(value.lastSeenAt),
            last_changed: formatDateTime(value.updatedAt),
            version: value.versionNo,
          }}
        />
      )}
    </InfoCard>
  );
}
