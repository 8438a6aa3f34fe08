/**
 * The export of one cycle run (SPEC SNAP-27): a Summary sheet (run fields and counts) and an Actions
 * sheet (one row per record), as XLSX or a ZIP of CSV files through the one table writer.
 */
import { Writable } from 'node:stream';
import {
  exportFileExtension,
  SheetSpec,
  writeSummaryAndTable,
} from '../export';
import type { SnapshotRecord, SnapshotRun } from './runs';

export type RunExportFormat = 'xlsx' | 'csv';

export const RUN_ACTIONS_SHEET: SheetSpec = {
  name: 'Actions',
  columns: [
    { header: 'Recorded at', kind: 'timestamp' },
    { header: 'Action', kind: 'text' },
    { header: 'Reason', kind: 'text' },
    { header: 'Policy', kind: 'text' },
    { header: 'Period', kind: 'text' },
    { header: 'Retention', kind: 'number' },
    { header: 'Volume ID', kind: 'text' },
    { header: 'Volume name', kind: 'text' },
    { header: 'Snapshot ID', kind: 'text' },
    { header: 'Snapshot name', kind: 'text' },
    { header: 'Snapshot status', kind: 'text' },
    { header: 'Project ID', kind: 'text' },
    { header: 'Project name', kind: 'text' },
    { header: 'Domain ID', kind: 'text' },
    { header: 'Domain name', kind: 'text' },
    { header: 'Server ID', kind: 'text' },
    { header: 'Server name', kind: 'text' },
  ],
};

export function recordCells(r: SnapshotRecord): unknown[] {
  return [
    r.recordedAt,
    r.action,
    r.reason,
    r.policy,
    r.period,
    r.retention,
    r.volumeId,
    r.volumeName,
    r.snapshotId,
    r.snapshotName,
    r.snapshotStatus,
    r.projectId,
    r.projectName,
    r.domainId,
    r.domainName,
    r.serverId,
    r.serverName,
  ];
}

function summaryLines(
  run: SnapshotRun,
  records: number,
  scoped: boolean,
): Array<[string, unknown]> {
  return [
    ['Run ID', run.id],
    ['Cloud', run.cloudId],
    ['Trigger', run.trigger],
    ['Triggered by', run.triggeredBy],
    ['Dry-run', run.dryRun ? 'yes' : 'no'],
    ['Catch-up', run.catchUp ? 'yes' : 'no'],
    ['Policies', run.policies?.join(', ') ?? 'all'],
    ['Status', run.status],
    ['Started at', run.startedAt],
    ['Finished at', run.finishedAt],
    ['Error summary', run.errorSummary],
    ...Object.entries(run.counts).map(
      ([k, n]) => [`Count ${k}`, n] as [string, unknown],
    ),
    ['Records in this file', records],
    ['Limited to the caller scope', scoped ? 'yes' : 'no'],
  ];
}

export async function writeRunExport(
  output: Writable,
  input: {
    format: RunExportFormat;
    run: SnapshotRun;
    records: SnapshotRecord[];
    scoped: boolean;
  },
): Promise<void> {
  await writeSummaryAndTable(
    output,
    input.format,
    summaryLines(input.run, input.records.length, input.scoped),
    { sheet: RUN_ACTIONS_SHEET, rows: () => input.records.map(recordCells) },
  );
}

export function runExportFileName(run: SnapshotRun, format: RunExportFormat) {
  const safeCloud = run.cloudId.replace(/[^A-Za-z0-9_-]/g, '_');
  return `pf9-snapshot-run-${safeCloud}-${run.id}.${exportFileExtension(
    format,
  )}`;
}
