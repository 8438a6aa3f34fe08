import { Writable } from 'node:stream';
import { CsvZipTableWriter } from './csvZipWriter';
import { TableWriter } from './tableWriter';
import { XlsxTableWriter } from './xlsxWriter';

export type { ColumnKind, ColumnSpec, SheetSpec } from './cells';
export { neutraliseFormula, toCell } from './cells';
export type { Row, RowSource, TableWriter } from './tableWriter';
export { writeSummarySheet } from './summarySheet';

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
