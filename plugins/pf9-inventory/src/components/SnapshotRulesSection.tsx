import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  SnapshotAssignmentPreview,
  SnapshotAssignmentPreviewRow,
  SnapshotAssignmentView,
  SnapshotRule,
  SnapshotRuleInput,
} from '@internal/plugin-pf9-common';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { pf9ApiRef } from '../api';

const PREVIEW_PAGE_SIZE = 500;

const ruleColumns: TableColumn<SnapshotRule>[] = [
  { title: 'Priority', field: 'priority' },
  { title: 'Name', field: 'name', highlight: true },
  { title: 'Action', field: 'action' },
  { title: 'Enabled', render: r => (r.enabled ? 'yes' : 'no') },
  {
    title: 'Match',
    render: r =>
      Object.keys(r.match).length ? JSON.stringify(r.match) : 'every volume',
  },
  {
    title: 'Policies',
    render: r =>
      r.policies
        .map(p => (r.retention[p] ? `${p} (keep ${r.retention[p]})` : p))
        .join(', ') || '—',
  },
  { title: 'Warnings', render: r => r.warnings.join('; ') || '—' },
];

function describe(view: SnapshotAssignmentView | null): string {
  if (!view) return 'not evaluated yet';
  if (!view.enabled) return `${view.source}: not protected`;
  const policies = view.policies
    .map(p => (p.retention === null ? p.policy : `${p.policy} ×${p.retention}`))
    .join(', ');
  return `${view.source}: ${policies || view.misconfigured || '—'}`;
}

const previewColumns: TableColumn<SnapshotAssignmentPreviewRow>[] = [
  { title: 'Volume', render: r => r.volumeName || r.volumeId },
  { title: 'Project', render: r => r.projectName ?? r.projectId ?? '—' },
  { title: 'Current', render: r => describe(r.current) },
  { title: 'Proposed', render: r => describe(r.proposed) },
  {
    title: 'Metadata changes',
    render: r =>
      [
        ...Object.entries(r.metadataChanges.set).map(([k, v]) => `${k}=${v}`),
        ...r.metadataChanges.remove.map(k => `−${k}`),
      ].join(', ') || '—',
  },
];

/** The stored rules as a draft the operator edits (server-side fields left out). */
function asDraft(rules: SnapshotRule[]): string {
  const draft: SnapshotRuleInput[] = rules.map(r => ({
    name: r.name,
    priority: r.priority,
    action: r.action,
    enabled: r.enabled,
    match: r.match,
    policies: r.policies,
    retention: r.retention,
    description: r.description,
  }));
  return JSON.stringify(draft, null, 2);
}

/**
 * Assignment rules (SNAP-9) with a dry-run preview (SNAP-11): the operator edits the rule set as JSON
 * and sees, per volume that would change, the current and proposed assignment and the metadata keys
 * the assignment job would write. Nothing is stored by a preview.
 */
export function SnapshotRulesSection(props: { cloudId: string }) {
  const { cloudId } = props;
  const client = useApi(pf9ApiRef);
  const rules = useAsync(() => client.listSnapshotRules(), [client]);
  const [draft, setDraft] = useState('');
  const [draftError, setDraftError] = useState<string>();
  const [preview, setPreview] = useState<SnapshotAssignmentPreview>();
  const [previewError, setPreviewError] = useState<Error>();
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (rules.value) setDraft(asDraft(rules.value.items));
  }, [rules.value]);

  const runPreview = async () => {
    let parsed: SnapshotRuleInput[];
    try {
      parsed = JSON.parse(draft);
      if (!Array.isArray(parsed)) throw new Error('expected a JSON array');
    } catch (e) {
      setDraftError(
        `The draft is not a JSON array of rules: ${(e as Error).message}`,
      );
      return;
    }
    setDraftError(undefined);
    setLoading(true);
    try {
      setPreview(
        await client.previewSnapshotAssignments({
          cloudId,
          rules: parsed,
          changedOnly: true,
          pageSize: PREVIEW_PAGE_SIZE,
        }),
      );
      setPreviewError(undefined);
    } catch (e) {
      setPreview(undefined);
      setPreviewError(e as Error);
    } finally {
      setLoading(false);
    }
  };

  return (
    <Box mb={3}>
      {rules.error ? (
        <ResponseErrorPanel error={rules.error} />
      ) : (
        <Table<SnapshotRule>
          title="Assignment rules"
          isLoading={rules.loading}
          columns={ruleColumns}
          data={rules.value?.items ?? []}
          options={{ search: false, paging: false, padding: 'dense' }}
          localization={{
            body: {
              emptyDataSourceMessage:
                'No rule: only owner metadata, manual assignments and exclusions decide.',
            },
          }}
        />
      )}
      <Box mt={2}>
        <TextField
          label="Draft rule set (JSON)"
          multiline
          minRows={6}
          fullWidth
          variant="outlined"
          value={draft}
          onChange={e => setDraft(e.target.value)}
          error={!!draftError}
          helperText={
            draftError ??
            'Edit the rules and preview their effect; the preview changes nothing.'
          }
          inputProps={{ 'aria-label': 'Draft rule set' }}
        />
        <Box mt={1} display="flex" alignItems="center" style={{ gap: 12 }}>
          <Button variant="outlined" disabled={loading} onClick={runPreview}>
            Preview
          </Button>
          {preview && (
            <Typography variant="body2" role="status">
              {`${preview.summary.changed} of ${preview.summary.volumes} volumes would change; ${preview.summary.metadataWrites} metadata writes; ${preview.summary.protectedVolumes} protected.`}
            </Typography>
          )}
        </Box>
      </Box>
      {previewError && <ResponseErrorPanel error={previewError} />}
      {preview?.warnings.map(w => (
        <Typography key={w} variant="body2" color="error">
          {w}
        </Typography>
      ))}
      {preview && (
        <Box mt={2}>
          <Table<SnapshotAssignmentPreviewRow>
            title="Preview: volumes that would change"
            columns={previewColumns}
            data={preview.items}
            options={{
              search: false,
              paging: true,
              pageSize: 20,
              emptyRowsWhenPaging: false,
              padding: 'dense',
            }}
            localization={{
              body: { emptyDataSourceMessage: 'No volume would change.' },
            }}
          />
        </Box>
      )}
    </Box>
  );
}
