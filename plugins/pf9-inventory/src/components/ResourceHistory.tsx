import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import type { InventoryType } from '@internal/plugin-pf9-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { pf9ApiRef } from '../api';
import { usePreviousVersion } from '../hooks/usePreviousVersion';
import { formatDateTime } from '../lib/format';
import { VersionDiff } from './VersionDiff';

export const HISTORY_PAGE_SIZE = 20;

/** A resource's versions, newest first, one page at a time; the selected version's diff below. */
export function ResourceHistory(props: {
  type: InventoryType;
  id: string;
  cloudId?: string;
}) {
  const { type, id, cloudId } = props;
  const client = useApi(pf9ApiRef);
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState(0);
  const { value, loading, error } = useAsync(
    () =>
      client.getHistory(type, id, {
        cloudId,
        page,
        pageSize: HISTORY_PAGE_SIZE,
      }),
    [client, type, id, cloudId, page],
  );
  const items = value?.items ?? [];
  const previous = usePreviousVersion({
    type,
    id,
    cloudId,
    items,
    index: items[selected] ? selected : -1,
    page,
    pageSize: HISTORY_PAGE_SIZE,
    total: value?.total ?? 0,
  });

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value || !items.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        No versions recorded.
      </Typography>
    );
  }
  const version = items[selected] ?? items[0];
  const pages = Math.ceil(value.total / HISTORY_PAGE_SIZE);
  const goTo = (next: number) => {
    setPage(next);
    setSelected(0);
  };

  return (
    <>
      <Typography variant="body2" color="textSecondary">
        {value.total} version{value.total === 1 ? '' : 's'}
      </Typography>
      <List dense aria-label="Versions">
        {items.map((v, index) => (
          <ListItem
            key={v.versionNo}
            button
            selected={index === selected}
            onClick={() => setSelected(index)}
          >
            <ListItemText
              primary={`v${v.versionNo} · ${v.changeType}`}
              secondary={`${formatDateTime(v.recordedAt)} · ${
                v.changedFields.length
              } field${v.changedFields.length === 1 ? '' : 's'} changed`}
            />
          </ListItem>
        ))}
      </List>
      {pages > 1 && (
        <Box display="flex" justifyContent="space-between" mb={2}>
          <Button
            size="small"
            disabled={page <= 1}
            onClick={() => goTo(page - 1)}
          >
            Newer
          </Button>
          <Typography variant="caption">
            page {page} of {pages}
          </Typography>
          <Button
            size="small"
            disabled={page >= pages}
            onClick={() => goTo(page + 1)}
          >
            Older
          </Button>
        </Box>
      )}
      {previous.error && <ResponseErrorPanel error={previous.error} />}
      {previous.loading ? (
        <Progress />
      ) : (
        <VersionDiff version={version} previous={previous.previous} />
      )}
    </>
  );
}
