import {
  Content,
  ContentHeader,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Grid from '@material-ui/core/Grid';
import useAsync from 'react-use/esm/useAsync';
import { pf9ApiRef } from '../api';

/** The PF9 landing page: backend status and the caller's role. */
export function Pf9OverviewPage() {
  const client = useApi(pf9ApiRef);
  const { value, loading, error } = useAsync(
    async () =>
      Promise.all([client.getHealth(), client.getAccessMe()]).then(
        ([health, me]) => ({ health, me }),
      ),
    [client],
  );

  if (loading) {
    return <Progress />;
  }
  if (error || !value) {
    return <ResponseErrorPanel error={error ?? new Error('No data')} />;
  }
  const { health, me } = value;
  return (
    <Content>
      <ContentHeader title="PF9 Ops" />
      <Grid container spacing={3}>
        <Grid item xs={12} md={6}>
          <InfoCard title="Backend">
            <StructuredMetadataTable
              metadata={{
                version: health.version,
                database: health.database,
                clouds: health.clouds.length
                  ? health.clouds
                  : ['none configured'],
              }}
            />
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={6}>
          <InfoCard title="Your access">
            <StructuredMetadataTable
              metadata={{
                principal: me.principal,
                role:
                  me.role ??
                  'none (ask an admin to map you in pf9.access.roles)',
                permissions: me.permissions.length,
              }}
            />
          </InfoCard>
        </Grid>
      </Grid>
    </Content>
  );
}
