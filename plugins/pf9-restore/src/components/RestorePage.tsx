import {
  Content,
  ContentHeader,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import { pf9Permissions } from '@internal/plugin-pf9-common';
import { pf9ApiRef } from '../pf9Inventory';
import {
  Route,
  Routes,
  useNavigate,
  useParams,
  useResolvedPath,
} from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { RestoreAuditTable } from './RestoreAuditTable';
import { RestoreConfigBanner } from './RestoreConfigBanner';
import { RestoreJobsTable } from './RestoreJobsTable';
import { RestoreJobView } from './RestoreJobView';

const restoreActions = {
  'view restore points and jobs': pf9Permissions.restoreRead.name,
  'plan a restore (dry-run)': pf9Permissions.restorePlan.name,
  'run a side-by-side restore': pf9Permissions.restoreExecuteSideBySide.name,
  'run a replace restore': pf9Permissions.restoreExecuteReplace.name,
  'retry a failed restore': pf9Permissions.restoreRetry.name,
  'clean up restore resources': pf9Permissions.restoreCleanup.name,
};

function AccessCard(props: {
  principal: string;
  role: string | null;
  permissions: string[];
}) {
  const allowed = new Set(props.permissions);
  return (
    <InfoCard
      title={`Restore actions for ${props.principal} (role ${
        props.role ?? 'none'
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
  );
}

function JobRoute(props: { permissions: string[]; jobsLink: string }) {
  const { jobId = '' } = useParams();
  return <RestoreJobView key={jobId} jobId={jobId} {...props} />;
}

/**
 * The restore page: the jobs and the restore audit at /pf9-restore, one job with live progress at
 * /pf9-restore/jobs/:jobId. A banner says when restore is disabled.
 */
export function RestorePage() {
  const client = useApi(pf9ApiRef);
  const navigate = useNavigate();
  const base = useResolvedPath('.').pathname.replace(/\/+$/, '');
  const { value, loading, error } = useAsync(
    async () =>
      Promise.all([client.getAccessMe(), client.getRestoreConfig()]).then(
        ([me, config]) => ({ me, config }),
      ),
    [client],
  );

  if (loading) return <Progress />;
  if (error || !value) {
    return <ResponseErrorPanel error={error ?? new Error('No data')} />;
  }
  const { me, config } = value;
  return (
    <Content>
      <ContentHeader title="VM restore" />
      <RestoreConfigBanner config={config} />
      <Routes>
        <Route
          path="/"
          element={
            <>
              <Box mb={3}>
                <RestoreJobsTable
                  onOpen={jobId => navigate(`${base}/jobs/${jobId}`)}
                />
              </Box>
              <Box mb={3}>
                <RestoreAuditTable />
              </Box>
              <AccessCard {...me} />
            </>
          }
        />
        <Route
          path="jobs/:jobId"
          element={<JobRoute permissions={me.permissions} jobsLink={base} />}
        />
      </Routes>
    </Content>
  );
}
