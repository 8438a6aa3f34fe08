import { Writable } from 'node:stream';
import { CsvZipTableWriter } from './csvZipWriter';
import { SheetSpec } from './cells';
import { SummaryLine, writeSummarySheet } from './summarySheet';
import { RowSource, TableWriter } from './tableWriter';
import { XlsxTableWriter } from './xlsxWriter';

export type { ColumnKind, ColumnSpec, SheetSpec } from './cells';
export { neutraliseFormula, toCell } from './cells';
export type { Row, RowSource, TableWriter } from './tableWriter';
export type { SummaryLine } from './summarySheet';
export { writeSummarySheet };

/** The one way to write a tabular file: `xlsx` or `csv` (a ZIP of CSV files). */
export function createTableWriter(
  format: 'xlsx' | 'csv',
  output: Writable,
  options: { csvBom?: boolean } = {},
): TableWriter {
  return format === 'xlsx'
    ? new XlsxTableWriter(output)
    : new CsvZipTableWriter(output, { bom: options.csvBom });
}

/** The file extension of an export: `xlsx`, or `zip` for the CSV files. */
export function exportFileExtension(format: 'xlsx' | 'csv'): 'xlsx' | 'zip' {
  return format === 'xlsx' ? 'xlsx' : 'zip';
}

/** A report of two sheets (compliance, snapshot run): the Item/Value Summary, then one table. */
export async function writeSummaryAndTable(
  output: Writable,
  format: 'xlsx' | 'csv',
  summary: readonly SummaryLine[],
  table: { sheet: SheetSpec; rows: RowSource },
): Promise<void> {
  const writer = createTableWriter(format, output);
  await writeSummarySheet(writer, summary);
  await writer.writeSheet(table.sheet, table.rows);
  await writer.finish();
}
