import { SheetSpec } from './cells';
import { TableWriter } from './tableWriter';

/** One line of an Item/Value Summary sheet: a label and its value (null or undefined is written empty). */
export type SummaryLine = readonly [label: string, value: unknown];

/** The Summary sheet of the compliance and snapshot-run exports: one text line per item. */
const ITEM_VALUE_SUMMARY_SHEET: SheetSpec = {
  name: 'Summary',
  columns: [
    { header: 'Item', kind: 'text' },
    { header: 'Value', kind: 'text' },
  ],
};

/** Writes `lines` as the Item/Value Summary sheet; every value becomes text, so numbers read as written. */
export function writeSummarySheet(
  writer: TableWriter,
  lines: readonly SummaryLine[],
): Promise<void> {
  return writer.writeSheet(ITEM_VALUE_SUMMARY_SHEET, () =>
    lines.map(([label, value]) => [
      label,
      value === null || value === undefined ? '' : String(value),
    ]),
  );
}
