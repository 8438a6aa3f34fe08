/**
 * The compliance export (SPEC CMP-3): the rows of the latest evaluation as XLSX or a ZIP of CSV files,
 * written through the one table writer (COM-10, EXP-9 formula neutralising), with a Summary sheet and a
 * Rows sheet of fixed columns.
 */
import { Writable } from 'node:stream';
import {
  exportFileExtension,
  SheetSpec,
  writeSummaryAndTable,
} from '../export';
import type { ComplianceRow, RollUp } from './evaluate';
import type { RowFilter } from './service';

export type ComplianceExportFormat = 'xlsx' | 'csv';

/** The Rows sheet's columns, in file order; {@link complianceRowCells} gives one value per column. */
export const COMPLIANCE_ROWS_SHEET: SheetSpec = {
  name: 'Rows',
  columns: [
    { header: 'Status', kind: 'text' },
    { header: 'Volume ID', kind: 'text' },
    { header: 'Volume name', kind: 'text' },
    { header: 'Policy', kind: 'text' },
    { header: 'Retention', kind: 'number' },
    { header: 'Period', kind: 'text' },
    { header: 'Snapshot count', kind: 'number' },
    { header: 'Last snapshot at', kind: 'timestamp' },
    { header: 'Reason', kind: 'text' },
    { header: 'SLA days', kind: 'text' },
    { header: 'Project ID', kind: 'text' },
    { header: 'Project name', kind: 'text' },
    { header: 'Domain ID', kind: 'text' },
    { header: 'Domain name', kind: 'text' },
    { header: 'Server ID', kind: 'text' },
    { header: 'Server name', kind: 'text' },
  ],
};

export function complianceRowCells(row: ComplianceRow): unknown[] {
  return [
    row.status,
    row.volumeId,
    row.volumeName,
    row.policy,
    row.retention,
    row.period,
    row.snapshotCount,
    row.lastSnapshotAt,
    row.reason,
    row.slaDays,
    row.projectId,
    row.projectName,
    row.domainId,
    row.domainName,
    row.serverId,
    row.serverName,
  ];
}

function summaryLines(input: {
  cloudId: string;
  evaluatedAt: string;
  filter: RowFilter;
  summary: RollUp;
  rowCount: number;
  scoped: boolean;
}): Array<[string, string | number | null]> {
  const { summary, filter } = input;
  return [
    ['Cloud', input.cloudId],
    ['Data as of (evaluated at)', input.evaluatedAt],
    ['Domain filter', filter.domainId ?? 'all'],
    ['Project filter', filter.projectId ?? 'all'],
    ['Policy filter', filter.policy ?? 'all'],
    ['Status filter', filter.status ?? 'all pairs (unprotected excluded)'],
    ['Limited to the caller scope', input.scoped ? 'yes' : 'no'],
    ['Rows', input.rowCount],
    [
      'Compliance % (pairs)',
      summary.compliancePct === null ? 'n/a' : summary.compliancePct,
    ],
    ...Object.entries(summary.pairs).map(
      ([status, n]) => [`Pairs ${status}`, n] as [string, number],
    ),
    ['Volumes compliant', summary.volumes.compliant],
    ['Volumes non-compliant', summary.volumes.nonCompliant],
    ['Volumes pending', summary.volumes.pending],
    ['Volumes unprotected', summary.volumes.unprotected],
  ];
}

/** Writes the export to `output` (which ends when the returned promise resolves). */
export async function writeComplianceExport(
  output: Writable,
  input: {
    format: ComplianceExportFormat;
    cloudId: string;
    evaluatedAt: string;
    filter: RowFilter;
    summary: RollUp;
    rows: ComplianceRow[];
    scoped: boolean;
  },
): Promise<void> {
  await writeSummaryAndTable(
    output,
    input.format,
    summaryLines({ ...input, rowCount: input.rows.length }),
    {
      sheet: COMPLIANCE_ROWS_SHEET,
      rows: () => input.rows.map(complianceRowCells),
    },
  );
}

/** `pf9-compliance-<cloud>-<evaluatedAt>.xlsx` (or `.zip` for CSV), safe for a Content-Disposition header. */
export function complianceExportFileName(
  cloudId: string,
  evaluatedAt: string,
  format: ComplianceExportFormat,
): string {
  const stamp = evaluatedAt.replace(/[:.]/g, '-');
  const safeCloud = cloudId.replace(/[^A-Za-z0-9_-]/g, '_');
  return `pf9-compliance-${safeCloud}-${stamp}.${exportFileExtension(format)}`;
}
