import {
  Content,
  ContentHeader,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { Pf9Client, pf9Permissions } from '@internal/plugin-pf9-common';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';

const restoreActions = {
  'view restore points and jobs': pf9Permissions.restoreRead.name,
  'plan a restore (dry-run)': pf9Permissions.restorePlan.name,
  'run a side-by-side restore': pf9Permissions.restoreExecuteSideBySide.name,
  'run a replace restore': pf9Permissions.restoreExecuteReplace.name,
  'retry a failed restore': pf9Permissions.restoreRetry.name,
  'clean up restore resources': pf9Permissions.restoreCleanup.name,
};

/** The restore page: what the signed-in user may do. */
export function RestorePage() {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const client = useMemo(
    () => new Pf9Client({ discoveryApi, fetchApi }),
    [discoveryApi, fetchApi],
  );
  const {
    value: me,
    loading,
    error,
  } = useAsync(() => client.getAccessMe(), [client]);

  if (loading) {
    return <Progress />;
  }
  if (error || !me) {
    return <ResponseErrorPanel error={error ?? new Error('No data')} />;
  }
  const allowed = new Set(me.permissions);
  return (
    <Content>
      <ContentHeader title="VM restore" />
      <InfoCard
        title={`Restore actions for ${me.principal} (role ${
          me.role ?? 'none'
        })`}
      >
        <StructuredMetadataTable
          metadata={Object.fromEntries(
            Object.entries(restoreActions).map(([action, permission]) => [
              action,
              allowed.has(permission) ? 'allowed' : 'not allowed',
            ]),
          )}
        />
      </InfoCard>
    </Content>
  );
}
