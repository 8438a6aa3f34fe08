import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import CircularProgress from '@material-ui/core/CircularProgress';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  COMPLIANCE_STATUSES,
  ComplianceGroupBy,
  CompliancePairStatus,
  ComplianceRollUp,
  ComplianceRow,
  ComplianceRowFilter,
  ComplianceStatus,
} from '@internal/plugin-pf9-common';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { pf9ApiRef } from '../api';
import { formatDateTime } from '../lib/format';
import { rootRouteRef } from '../routes';
import { ComplianceStatusLabel } from './ComplianceStatusLabel';
import { saveBlob } from './ExportDialog';
import { ServerPagedTable } from './ServerPagedTable';

export const COMPLIANCE_PAGE_SIZE = 20;

const nowrap = { whiteSpace: 'nowrap' } as const;

const GROUP_BYS: ComplianceGroupBy[] = ['domain', 'project', 'policy'];
const PAIR_STATUSES: CompliancePairStatus[] = [
  'compliant',
  'pending',
  'missing',
  'quota_blocked',
  'misconfigured',
];

/** The row filter each group-by drills down with. */
const DRILL_PARAM: Record<
  ComplianceGroupBy,
  'domainId' | 'projectId' | 'policy'
> = {
  domain: 'domainId',
  project: 'projectId',
  policy: 'policy',
};
const DRILL_LABEL: Record<'domainId' | 'projectId' | 'policy', string> = {
  domainId: 'Domain',
  projectId: 'Project',
  policy: 'Policy',
};

function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : `${value}%`;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const groupColumns: TableColumn<ComplianceRollUp>[] = [
  {
    title: 'Group',
    field: 'name',
    highlight: true,
    render: g => g.name ?? (g.key || '(none)'),
  },
  { title: 'Compliance', render: g => pct(g.compliancePct) },
  ...PAIR_STATUSES.map(
    (s): TableColumn<ComplianceRollUp> => ({
      title: s,
      render: g => g.pairs[s],
    }),
  ),
  { title: 'Volumes compliant', render: g => g.volumes.compliant },
  { title: 'Volumes non-compliant', render: g => g.volumes.nonCompliant },
  { title: 'Volumes unprotected', render: g => g.volumes.unprotected },
];

/** Pair and volume counts of a roll-up, each with a test id the browser tests read. */
function SummaryFigures(props: {
  overall: ComplianceRollUp;
  evaluatedAt: string;
}) {
  const { overall, evaluatedAt } = props;
  const figure = (label: string, value: string | number, testId: string) => (
    <Box key={testId} mr={4} mb={1}>
      <Typography variant="caption" color="textSecondary">
        {label}
      </Typography>
      <Typography variant="h6" data-testid={testId}>
        {value}
      </Typography>
    </Box>
  );
  return (
    <InfoCard
      title="Summary"
      subheader={`Data as of ${formatDateTime(evaluatedAt)}`}
    >
      <Box display="flex" flexWrap="wrap">
        {figure(
          'Compliance (pairs)',
          pct(overall.compliancePct),
          'compliance-pct',
        )}
        {PAIR_STATUSES.map(s =>
          figure(`Pairs ${s}`, overall.pairs[s], `compliance-pairs-${s}`),
        )}
      </Box>
      <Box display="flex" flexWrap="wrap">
        {figure(
          'Volumes compliant',
          overall.volumes.compliant,
          'compliance-volumes-compliant',
        )}
        {figure(
          'Volumes non-compliant',
          overall.volumes.nonCompliant,
          'compliance-volumes-nonCompliant',
        )}
        {figure(
          'Volumes pending',
          overall.volumes.pending,
          'compliance-volumes-pending',
        )}
        {figure(
          'Volumes unprotected',
          overall.volumes.unprotected,
          'compliance-volumes-unprotected',
        )}
      </Box>
    </InfoCard>
  );
}

/** The rows (volumes × policies) of the latest evaluation, filtered and paged on the server. */
function ComplianceRowsTable(props: {
  cloudId: string;
  filter: ComplianceRowFilter;
  title: string;
  reloadKey: number;
}) {
  const { cloudId, filter, title, reloadKey } = props;
  const client = useApi(pf9ApiRef);
  const inventoryRoute = useRouteRef(rootRouteRef);
  const base = inventoryRoute ? inventoryRoute() : '/pf9';

  const columns: TableColumn<ComplianceRow>[] = [
    {
      title: 'Status',
      cellStyle: nowrap,
      render: r => <ComplianceStatusLabel status={r.status} />,
    },
    {
      title: 'Volume',
      highlight: true,
      cellStyle: nowrap,
      render: r => (
        <Link
          to={`${base}/storage?type=volume&id=${encodeURIComponent(
            r.volumeId,
          )}`}
          title="Open the volume and its snapshots in the inventory"
        >
          {r.volumeName || r.volumeId}
        </Link>
      ),
    },
    { title: 'Policy', cellStyle: nowrap, render: r => r.policy ?? '—' },
    {
      title: 'Last snapshot at',
      cellStyle: nowrap,
      render: r => formatDateTime(r.lastSnapshotAt),
    },
    { title: 'Snapshots', render: r => r.snapshotCount },
    { title: 'Retention', render: r => r.retention ?? '—' },
    {
      title: 'Reason',
      cellStyle: { minWidth: 240 },
      render: r => r.reason ?? '—',
    },
    { title: 'SLA days', render: r => r.slaDays ?? '—' },
    { title: 'Project', render: r => r.projectName ?? r.projectId ?? '—' },
    { title: 'Domain', render: r => r.domainName ?? r.domainId ?? '—' },
  ];

  return (
    <ServerPagedTable<ComplianceRow>
      resetKey={JSON.stringify({ cloudId, filter, reloadKey })}
      title={title}
      columns={columns}
      pageSize={COMPLIANCE_PAGE_SIZE}
      load={request =>
        client.listComplianceRows({
          cloudId,
          ...filter,
          page: request.page,
          pageSize: request.pageSize,
        })
      }
      emptyMessage="No rows match."
    />
  );
}

/**
 * SLA compliance of a cloud's volume snapshots (SPEC CMP-2, CMP-3): the latest evaluation's summary, its
 * roll-up by domain, project or policy, and the rows of the chosen group. Group-by, drill-down and status
 * live in the URL (`?groupBy=project&projectId=…&status=missing`), so every view has a deep link.
 */
export function ComplianceTab(props: {
  cloudId: string;
  /** /access/me lists pf9.snapshots.run */
  canEvaluate: boolean;
  refreshKey?: number;
}) {
  const { cloudId, canEvaluate, refreshKey } = props;
  const client = useApi(pf9ApiRef);
  const [params, setParams] = useSearchParams();
  const groupByParam = params.get('groupBy') as ComplianceGroupBy | null;
  const groupBy: ComplianceGroupBy =
    groupByParam && GROUP_BYS.includes(groupByParam) ? groupByParam : 'domain';
  const statusParam = params.get('status') as ComplianceStatus | null;
  const status =
    statusParam && COMPLIANCE_STATUSES.includes(statusParam)
      ? statusParam
      : undefined;
  const drill = (['domainId', 'projectId', 'policy'] as const)
    .map(key => ({ key, value: params.get(key) }))
    .find(d => d.value);
  const filter: ComplianceRowFilter = {
    ...(drill ? { [drill.key]: drill.value } : {}),
    status,
  };

  const [reload, setReload] = useState(0);
  const [busy, setBusy] = useState<'evaluate' | 'xlsx' | 'csv'>();
  const [message, setMessage] = useState<{ text: string; error: boolean }>();

  const summary = useAsync(
    () => client.getComplianceSummary({ cloudId, groupBy }),
    [client, cloudId, groupBy, reload, refreshKey],
  );

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next);
  };

  const drillInto = (group: ComplianceRollUp) => {
    if (!group.key) return;
    update({
      domainId: undefined,
      projectId: undefined,
      policy: undefined,
      [DRILL_PARAM[groupBy]]: group.key,
    });
  };

  const drillName =
    drill &&
    (summary.value?.groups.find(
      g => DRILL_PARAM[groupBy] === drill.key && g.key === drill.value,
    )?.name ??
      drill.value);

  const evaluate = async () => {
    setBusy('evaluate');
    setMessage(undefined);
    try {
      const result = await client.evaluateCompliance(cloudId);
      setMessage({
        text: `Evaluated at ${formatDateTime(result.evaluatedAt)}.`,
        error: false,
      });
      setReload(r => r + 1);
    } catch (e) {
      setMessage({
        text: `Evaluation failed: ${errorMessage(e)}`,
        error: true,
      });
    } finally {
      setBusy(undefined);
    }
  };

  const download = async (format: 'xlsx' | 'csv') => {
    setBusy(format);
    setMessage(undefined);
    try {
      const file = await client.downloadComplianceExport({
        format,
        cloudId,
        ...filter,
      });
      saveBlob(file.blob, file.fileName);
    } catch (e) {
      setMessage({ text: `Export failed: ${errorMessage(e)}`, error: true });
    } finally {
      setBusy(undefined);
    }
  };

  if (summary.loading && !summary.value) return <Progress />;
  if (summary.error) return <ResponseErrorPanel error={summary.error} />;
  const evaluated = !!summary.value?.evaluatedAt && !!summary.value.overall;

  return (
    <>
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        mb={2}
        style={{ gap: 12 }}
      >
        {evaluated && (
          <>
            <Button
              variant="outlined"
              onClick={() => download('xlsx')}
              disabled={!!busy}
            >
              {busy === 'xlsx' ? 'Exporting…' : 'Export XLSX'}
            </Button>
            <Button
              variant="outlined"
              onClick={() => download('csv')}
              disabled={!!busy}
            >
              {busy === 'csv' ? 'Exporting…' : 'Export CSV'}
            </Button>
          </>
        )}
        {canEvaluate && (
          <Button
            variant="contained"
            color="primary"
            onClick={evaluate}
            disabled={!!busy}
            startIcon={
              busy === 'evaluate' ? (
                <CircularProgress size={16} color="inherit" />
              ) : undefined
            }
          >
            {busy === 'evaluate' ? 'Evaluating…' : 'Evaluate now'}
          </Button>
        )}
        {message && (
          <Typography
            variant="body2"
            color={message.error ? 'error' : 'textSecondary'}
            role="status"
          >
            {message.text}
          </Typography>
        )}
      </Box>
      {!evaluated ? (
        <Typography>
          No compliance evaluation yet.
          {canEvaluate
            ? ' Press "Evaluate now" to evaluate the cloud.'
            : ' It runs every 15 minutes and after every snapshot cycle.'}
        </Typography>
      ) : (
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <SummaryFigures
              overall={summary.value!.overall!}
              evaluatedAt={summary.value!.evaluatedAt!}
            />
          </Grid>
          <Grid item xs={12}>
            <Box mb={2}>
              <TextField
                select
                label="Group by"
                value={groupBy}
                onChange={e =>
                  update({
                    groupBy: e.target.value,
                    domainId: undefined,
                    projectId: undefined,
                    policy: undefined,
                  })
                }
                style={{ width: 200 }}
                inputProps={{ 'aria-label': 'Group by' }}
              >
                {GROUP_BYS.map(g => (
                  <MenuItem key={g} value={g}>
                    {g}
                  </MenuItem>
                ))}
              </TextField>
            </Box>
            <Table<ComplianceRollUp>
              title={`Compliance by ${groupBy}`}
              columns={groupColumns}
              data={summary.value!.groups}
              onRowClick={(_e, g) => g && drillInto(g)}
              options={{
                search: false,
                paging: summary.value!.groups.length > 20,
                pageSize: 20,
                emptyRowsWhenPaging: false,
                padding: 'dense',
              }}
              localization={{
                body: { emptyDataSourceMessage: 'No groups.' },
              }}
            />
          </Grid>
          <Grid item xs={12}>
            <Box display="flex" alignItems="center" mb={2} style={{ gap: 12 }}>
              {drill && (
                <Chip
                  label={`${DRILL_LABEL[drill.key]}: ${drillName}`}
                  onDelete={() => update({ [drill.key]: undefined })}
                  data-testid="compliance-drill"
                />
              )}
              <TextField
                select
                label="Status"
                value={status ?? ''}
                onChange={e => update({ status: e.target.value || undefined })}
                style={{ width: 200 }}
                inputProps={{ 'aria-label': 'Compliance status' }}
                InputLabelProps={{ shrink: true }}
                SelectProps={{ displayEmpty: true }}
              >
                <MenuItem value="">all pairs</MenuItem>
                {COMPLIANCE_STATUSES.map(s => (
                  <MenuItem key={s} value={s}>
                    {s}
                  </MenuItem>
                ))}
              </TextField>
            </Box>
            <ComplianceRowsTable
              cloudId={cloudId}
              filter={filter}
              reloadKey={reload + (refreshKey ?? 0)}
              title={
                drill
                  ? `Rows of ${DRILL_LABEL[
                      drill.key
                    ].toLowerCase()} ${drillName}`
                  : 'Rows'
              }
            />
          </Grid>
        </Grid>
      )}
    </>
  );
}
