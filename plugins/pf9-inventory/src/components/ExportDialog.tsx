import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import GetAppIcon from '@material-ui/icons/GetApp';
import {
  INVENTORY_EXPORT_SHEETS,
  InventoryExport,
  InventoryExportFormat,
  InventoryExportMasking,
  InventoryExportRequest,
  InventoryExportSheet,
  InventoryRun,
  Pf9ApiError,
} from '@internal/plugin-pf9-common';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { pf9ApiRef } from '../api';
import { errorMessage, formatDateTime } from '../lib/format';

export const EXPORT_POLL_MS = 2000;
/** How many recent runs the run selectors offer. */
export const EXPORT_RUN_CHOICES = 20;

export const SCOPE_REQUIRED_MESSAGE =
  'A masked export needs a scope: enter at least one domain ID or project ID.';

const MASKING_LABELS: Record<InventoryExportMasking, string> = {
  none: 'None (unmasked)',
  partial: 'Partial (ab********yz)',
  pseudonym: 'Pseudonym (stable tokens within the file)',
};

/** Ids typed into a scope field: separated by commas, semicolons or white space. */
export function parseIds(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter(Boolean))];
}

/** Saves a blob as a file through a temporary object URL and a `download` link. */
export function saveBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // revoked later: revoking at once can cancel the download in some browsers
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function runLabel(run: InventoryRun): string {
  return `${formatDateTime(run.finishedAt ?? run.startedAt)} · ${
    run.status
  } · ${run.id}`;
}

function serverErrorText(error: unknown): string {
  if (error instanceof Pf9ApiError) {
    if (error.status === 403) {
      return `Not allowed: ${error.message}`;
    }
    return error.message;
  }
  return errorMessage(error);
}

type Phase =
  | { name: 'form' }
  | { name: 'submitting' }
  | { name: 'running'; exportId: string; record?: InventoryExport }
  | { name: 'done'; record: InventoryExport }
  | { name: 'failed'; record: InventoryExport };

/**
 * The export options of SPEC §1.7–1.8 (EXP-1, EXP-8) for one cloud: format, masking and its scope, the run and
 * an optional compare-to run, sheets and the CSV BOM. It starts the job, follows its status until it is done
 * or failed, then downloads the file through the authenticated pf9 client.
 */
export function ExportDialog(props: {
  open: boolean;
  onClose: () => void;
  cloudId: string;
  /** the caller holds pf9.inventory.export.unmasked: only then is masking `none` offered */
  canExportUnmasked: boolean;
  pollMs?: number;
}) {
  const { open, onClose, cloudId, canExportUnmasked } = props;
  const pollMs = props.pollMs ?? EXPORT_POLL_MS;
  const client = useApi(pf9ApiRef);

  const [format, setFormat] = useState<InventoryExportFormat>('xlsx');
  const [masking, setMasking] = useState<InventoryExportMasking>(
    canExportUnmasked ? 'none' : 'partial',
  );
  const [domainIds, setDomainIds] = useState('');
  const [projectIds, setProjectIds] = useState('');
  const [maskNames, setMaskNames] = useState(false);
  const [maskIps, setMaskIps] = useState(false);
  const [runId, setRunId] = useState('');
  const [compareToRunId, setCompareToRunId] = useState('');
  const [sheets, setSheets] = useState<InventoryExportSheet[]>([]);
  const [csvBom, setCsvBom] = useState(false);
  const [validation, setValidation] = useState<string>();
  const [serverError, setServerError] = useState<string>();
  const [phase, setPhase] = useState<Phase>({ name: 'form' });
  const [downloading, setDownloading] = useState(false);

  const runs = useAsync(async () => {
    if (!open) return [];
    const page = await client.listRuns({
      cloudId,
      pageSize: EXPORT_RUN_CHOICES,
    });
    return page.items.filter(
      r => r.status === 'succeeded' || r.status === 'partial',
    );
  }, [client, cloudId, open]);

  const exportId = phase.name === 'running' ? phase.exportId : undefined;
  useEffect(() => {
    if (!exportId) return undefined;
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const record = await client.getExport(exportId);
        if (stopped) return;
        if (record.status === 'done' || record.status === 'failed') {
          stopped = true;
          clearInterval(timer);
          setPhase(
            record.status === 'done'
              ? { name: 'done', record }
              : { name: 'failed', record },
          );
        } else {
          setPhase({ name: 'running', exportId, record });
        }
      } catch (e) {
        if (stopped) return;
        stopped = true;
        clearInterval(timer);
        setServerError(
          `Could not follow export ${exportId}: ${serverErrorText(e)}`,
        );
        setPhase({ name: 'form' });
      }
    }, pollMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [client, exportId, pollMs]);

  const effectiveMasking =
    !canExportUnmasked && masking === 'none' ? 'partial' : masking;
  const masked = effectiveMasking !== 'none';

  const submit = async () => {
    setServerError(undefined);
    const scope = {
      domainIds: parseIds(domainIds),
      projectIds: parseIds(projectIds),
    };
    const hasScope = scope.domainIds.length > 0 || scope.projectIds.length > 0;
    if (masked && !hasScope) {
      setValidation(SCOPE_REQUIRED_MESSAGE);
      return;
    }
    if (runId && compareToRunId && runId === compareToRunId) {
      setValidation('Pick a compare-to run other than the exported run.');
      return;
    }
    setValidation(undefined);
    const request: InventoryExportRequest = {
      cloudId,
      format,
      masking: effectiveMasking,
      ...(runId ? { runId } : {}),
      ...(compareToRunId ? { compareToRunId } : {}),
      ...(hasScope
        ? {
            scope: {
              ...(scope.domainIds.length ? { domainIds: scope.domainIds } : {}),
              ...(scope.projectIds.length
                ? { projectIds: scope.projectIds }
                : {}),
            },
          }
        : {}),
      ...(masked ? { maskNames, maskIps } : {}),
      ...(sheets.length
        ? { sheets: INVENTORY_EXPORT_SHEETS.filter(s => sheets.includes(s)) }
        : {}),
      ...(format === 'csv' ? { csvBom } : {}),
    };
    setPhase({ name: 'submitting' });
    try {
      const created = await client.createExport(request);
      setPhase({ name: 'running', exportId: created.exportId });
    } catch (e) {
      setServerError(serverErrorText(e));
      setPhase({ name: 'form' });
    }
  };

  const download = async (record: InventoryExport) => {
    setDownloading(true);
    setServerError(undefined);
    try {
      const file = await client.downloadExport(
        record.exportId,
        record.fileName,
      );
      saveBlob(file.blob, record.fileName || file.fileName);
    } catch (e) {
      setServerError(`Download failed: ${serverErrorText(e)}`);
    } finally {
      setDownloading(false);
    }
  };

  const editing = phase.name === 'form' || phase.name === 'submitting';
  const runChoices = runs.value ?? [];

  return (
    <Dialog
      open={open}
      onClose={onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="pf9-export-title"
    >
      <DialogTitle id="pf9-export-title">
        Export inventory of {cloudId}
      </DialogTitle>
      <DialogContent dividers>
        {editing && (
          <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
            <FormControl component="fieldset">
              <FormLabel component="legend">Format</FormLabel>
              <RadioGroup
                row
                aria-label="Format"
                value={format}
                onChange={e =>
                  setFormat(e.target.value as InventoryExportFormat)
                }
              >
                <FormControlLabel
                  value="xlsx"
                  control={<Radio />}
                  label="XLSX"
                />
                <FormControlLabel
                  value="csv"
                  control={<Radio />}
                  label="CSV (zip)"
                />
              </RadioGroup>
            </FormControl>

            <FormControl component="fieldset">
              <FormLabel component="legend">Masking</FormLabel>
              <RadioGroup
                aria-label="Masking"
                value={effectiveMasking}
                onChange={e => {
                  setMasking(e.target.value as InventoryExportMasking);
                  setValidation(undefined);
                }}
              >
                {(canExportUnmasked
                  ? (['none', 'partial', 'pseudonym'] as const)
                  : (['partial', 'pseudonym'] as const)
                ).map(m => (
                  <FormControlLabel
                    key={m}
                    value={m}
                    control={<Radio />}
                    label={MASKING_LABELS[m]}
                  />
                ))}
              </RadioGroup>
              {!canExportUnmasked && (
                <FormHelperText>
                  Unmasked exports need the pf9.inventory.export.unmasked
                  permission.
                </FormHelperText>
              )}
            </FormControl>

            <FormControl component="fieldset" error={!!validation}>
              <FormLabel component="legend">
                Scope{masked ? ' (required for a masked export)' : ''}
              </FormLabel>
              <Box display="flex" style={{ gap: 16 }}>
                <TextField
                  id="pf9-export-domain-ids"
                  label="Domain IDs"
                  value={domainIds}
                  onChange={e => setDomainIds(e.target.value)}
                  helperText="Comma-separated"
                  error={!!validation && masked}
                  fullWidth
                />
                <TextField
                  id="pf9-export-project-ids"
                  label="Project IDs"
                  value={projectIds}
                  onChange={e => setProjectIds(e.target.value)}
                  helperText="Comma-separated"
                  error={!!validation && masked}
                  fullWidth
                />
              </Box>
              {validation && (
                <FormHelperText role="alert">{validation}</FormHelperText>
              )}
            </FormControl>

            <Box display="flex" flexWrap="wrap">
              <FormControlLabel
                control={
                  <Checkbox
                    checked={masked && maskNames}
                    disabled={!masked}
                    onChange={e => setMaskNames(e.target.checked)}
                  />
                }
                label="Mask names"
              />
              <FormControlLabel
                control={
                  <Checkbox
                    checked={masked && maskIps}
                    disabled={!masked}
                    onChange={e => setMaskIps(e.target.checked)}
                  />
                }
                label="Mask tenant IP addresses"
              />
              <FormControlLabel
                control={
                  <Checkbox
                    checked={format === 'csv' && csvBom}
                    disabled={format !== 'csv'}
                    onChange={e => setCsvBom(e.target.checked)}
                  />
                }
                label="CSV with UTF-8 BOM"
              />
            </Box>

            <TextField
              select
              id="pf9-export-run"
              label="Run"
              value={runId}
              onChange={e => setRunId(e.target.value)}
              helperText={
                runs.error
                  ? `Could not list runs: ${errorMessage(runs.error)}`
                  : 'The stored state as of this run'
              }
              error={!!runs.error}
              SelectProps={{ displayEmpty: true }}
              InputLabelProps={{ shrink: true }}
            >
              <MenuItem value="">Latest run</MenuItem>
              {runChoices.map(r => (
                <MenuItem key={r.id} value={r.id}>
                  {runLabel(r)}
                </MenuItem>
              ))}
            </TextField>

            <TextField
              select
              id="pf9-export-compare-run"
              label="Compare to run"
              value={compareToRunId}
              onChange={e => setCompareToRunId(e.target.value)}
              helperText="Adds a Delta sheet; the Summary counts changes against it"
              SelectProps={{ displayEmpty: true }}
              InputLabelProps={{ shrink: true }}
            >
              <MenuItem value="">No comparison</MenuItem>
              {runChoices.map(r => (
                <MenuItem key={r.id} value={r.id}>
                  {runLabel(r)}
                </MenuItem>
              ))}
            </TextField>

            <TextField
              select
              id="pf9-export-sheets"
              label="Sheets"
              value={sheets}
              onChange={e =>
                setSheets(e.target.value as unknown as InventoryExportSheet[])
              }
              SelectProps={{
                multiple: true,
                displayEmpty: true,
                renderValue: value =>
                  (value as string[]).length
                    ? (value as string[]).join(', ')
                    : 'All sheets',
              }}
              InputLabelProps={{ shrink: true }}
            >
              {INVENTORY_EXPORT_SHEETS.map(s => (
                <MenuItem key={s} value={s}>
                  <Checkbox size="small" checked={sheets.includes(s)} />
                  {s}
                </MenuItem>
              ))}
            </TextField>
          </Box>
        )}

        {phase.name === 'running' && (
          <Box display="flex" alignItems="center" style={{ gap: 12 }}>
            <CircularProgress size={20} />
            <Typography role="status">
              Export {phase.exportId} is {phase.record?.status ?? 'queued'}…
            </Typography>
          </Box>
        )}
        {phase.name === 'done' && (
          <Typography role="status">
            Export {phase.record.exportId} is done: {phase.record.fileName}
            {phase.record.sizeBytes !== null
              ? ` (${phase.record.sizeBytes.toLocaleString()} bytes)`
              : ''}
            .
          </Typography>
        )}
        {phase.name === 'failed' && (
          <Typography role="alert" color="error">
            Export {phase.record.exportId} failed
            {phase.record.error ? `: ${phase.record.error}` : '.'}
          </Typography>
        )}
        {serverError && (
          <Box mt={2}>
            <Typography role="alert" color="error">
              {serverError}
            </Typography>
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
        {editing && (
          <Button
            color="primary"
            variant="contained"
            onClick={submit}
            disabled={phase.name === 'submitting'}
          >
            Start export
          </Button>
        )}
        {phase.name === 'failed' && (
          <Button color="primary" onClick={() => setPhase({ name: 'form' })}>
            Back to options
          </Button>
        )}
        {phase.name === 'done' && (
          <Button
            color="primary"
            variant="contained"
            onClick={() => download(phase.record)}
            disabled={downloading}
            startIcon={
              downloading ? (
                <CircularProgress size={16} color="inherit" />
              ) : (
                <GetAppIcon />
              )
            }
          >
            Download
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
