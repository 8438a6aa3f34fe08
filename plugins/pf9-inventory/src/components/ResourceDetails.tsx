import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Typography from '@material-ui/core/Typography';
import type {
  InventoryResourceDetail,
  InventoryType,
} from '@internal/plugin-pf9-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { pf9ApiRef } from '../api';
import { formatDateTime, typeLabel } from '../lib/format';
import { JsonBlock } from './JsonBlock';
import { KeyValueTable } from './KeyValueTable';
import { ResourceHistory } from './ResourceHistory';

type DetailTab = 'fields' | 'derived' | 'raw' | 'history';

/** One resource: its key fields, derived fields, raw payload and history, loaded from the server. */
export function ResourceDetails(props: {
  type: InventoryType;
  id: string;
  cloudId?: string;
}) {
  const { type, id, cloudId } = props;
  const client = useApi(pf9ApiRef);
  const { value, loading, error } = useAsync(
    () => client.getResource(type, id, { cloudId }),
    [client, type, id, cloudId],
  );

  if (loading) return <Progress />;
  if (error || !value) {
    return <ResponseErrorPanel error={error ?? new Error('Not found')} />;
  }
  return (
    <ResourceDetailsView
      type={type}
      id={id}
      cloudId={cloudId}
      resource={value}
    />
  );
}

/**
 * A loaded resource: its name, id, status, and tabs for key fields, derived fields, raw payload and (unless
 * `withHistory` is false, for pages that show the history beside it) history.
 */
export function ResourceDetailsView(props: {
  type: InventoryType;
  id: string;
  cloudId?: string;
  resource: InventoryResourceDetail;
  withHistory?: boolean;
}) {
  const { type, id, cloudId, resource: value, withHistory = true } = props;
  const [tab, setTab] = useState<DetailTab>('fields');
  return (
    <>
      <Typography variant="overline">{typeLabel(type)}</Typography>
      <Typography variant="h5" style={{ wordBreak: 'break-word' }}>
        {value.name ?? value.id}
      </Typography>
      <Typography variant="body2" data-testid="resource-id">
        <code>{value.id}</code>
      </Typography>
      <Box display="flex" flexWrap="wrap" my={1} style={{ gap: 8 }}>
        {value.status && <Chip size="small" label={value.status} />}
        {value.deleted && (
          <Chip size="small" color="secondary" label="deleted" />
        )}
        <Chip size="small" variant="outlined" label={`v${value.versionNo}`} />
      </Box>
      <Typography variant="caption" color="textSecondary" component="p">
        Last seen {formatDateTime(value.lastSeenAt)} · last changed{' '}
        {formatDateTime(value.updatedAt)}
      </Typography>
      <Tabs
        value={tab}
        onChange={(_e, next) => setTab(next)}
        indicatorColor="primary"
        textColor="primary"
      >
        <Tab value="fields" label="Fields" />
        <Tab value="derived" label="Derived" />
        <Tab value="raw" label="Raw" />
        {withHistory && <Tab value="history" label="History" />}
      </Tabs>
      <Box pt={2}>
        {tab === 'fields' && <KeyValueTable values={value.fields} />}
        {tab === 'derived' && (
          <KeyValueTable
            values={value.derived}
            emptyText="No derived fields."
          />
        )}
        {tab === 'raw' && (
          <JsonBlock value={value.raw} emptyText="No raw payload stored." />
        )}
        {withHistory && tab === 'history' && (
          <ResourceHistory type={type} id={id} cloudId={cloudId} />
        )}
      </Box>
    </>
  );
}
