import { SheetSpec } from './cells';

/** A row is one value per column of its sheet, in column order. */
export type Row = readonly unknown[];

/** A source of rows that can be read twice: XLSX column widths need a pass before the rows are written. */
export type RowSource = () => AsyncIterable<Row> | Iterable<Row>;

/**
 * The one writer of tabular files (SPEC COM-10): XLSX or a ZIP of CSV files, same sheets, same columns, same
 * cell rules. Sheets are written in the order they are added; each is written whole before the next.
 */
export interface TableWriter {
  writeSheet(sheet: SheetSpec, rows: RowSource): Promise<void>;
  /** Finishes the file; the output stream ends after this resolves. */
  finish(): Promise<void>;
}
