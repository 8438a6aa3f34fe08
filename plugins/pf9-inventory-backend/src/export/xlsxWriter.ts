import ExcelJS from 'exceljs';
import { Writable } from 'node:stream';
import { SheetSpec, toCell } from './cells';
import { RowSource, TableWriter } from './tableWriter';

/** Data rows per worksheet: Excel's 1,048,576 rows minus the header (SPEC EXP-5). */
export const MAX_XLSX_DATA_ROWS = 1_048_575;
const MAX_COLUMN_WIDTH = 80;

function cellsOf(sheet: SheetSpec, row: readonly unknown[]) {
  return sheet.columns.map((column, index) => toCell(column.kind, row[index]));
}

async function columnWidths(sheet: SheetSpec, rows: RowSource) {
  const longest = sheet.columns.map(column => column.header.length);
  for await (const row of rows()) {
    cellsOf(sheet, row).forEach((cell, index) => {
      const length = cell === null ? 0 : String(cell).length;
      if (length > longest[index]) longest[index] = length;
    });
  }
  return longest.map(length => Math.min(length + 2, MAX_COLUMN_WIDTH));
}

/** Streams an XLSX workbook: bold headers, frozen first row, autofilter, text always as string cells. */
export class XlsxTableWriter implements TableWriter {
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;

  constructor(
    output: Writable,
    private readonly maxDataRows = MAX_XLSX_DATA_ROWS,
  ) {
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: output,
      useStyles: true,
      useSharedStrings: false,
    });
  }

  async writeSheet(sheet: SheetSpec, rows: RowSource): Promise<void> {
    const widths = await columnWidths(sheet, rows);
    let part = 1;
    let worksheet = this.addWorksheet(sheet, widths, part);
    let written = 0;
    for await (const row of rows()) {
      if (written === this.maxDataRows) {
        worksheet.commit();
        part += 1;
        worksheet = this.addWorksheet(sheet, widths, part);
        written = 0;
      }
      worksheet.addRow(cellsOf(sheet, row)).commit();
      written += 1;
    }
    worksheet.commit();
  }

  async finish(): Promise<void> {
    await this.workbook.commit();
  }

  private addWorksheet(sheet: SheetSpec, widths: number[], part: number) {
    const name = part === 1 ? sheet.name : `${sheet.name} (${part})`;
    const preamble = part === 1 ? sheet.preamble ?? [] : [];
    const headerRow = preamble.length ? preamble.length + 2 : 1;
    const worksheet = this.workbook.addWorksheet(name, {
      views: [{ state: 'frozen', ySplit: headerRow }],
    });
    if (preamble.length) {
      worksheet.columns = sheet.columns.map((_column, index) => ({
        width: widths[index],
      }));
      for (const [label, value] of preamble) {
        const row = worksheet.addRow([
          toCell('text', label),
          toCell('text', value),
        ]);
        row.getCell(1).font = { bold: true };
        row.commit();
      }
      worksheet.addRow([]).commit();
      const header = worksheet.addRow(sheet.columns.map(c => c.header));
      header.font = { bold: true };
      header.commit();
    } else {
      worksheet.columns = sheet.columns.map((column, index) => ({
        header: column.header,
        width: widths[index],
      }));
      worksheet.getRow(1).font = { bold: true };
    }
    worksheet.autoFilter = {
      from: { row: headerRow, column: 1 },
      to: { row: headerRow, column: sheet.columns.length },
    };
    return worksheet;
  }
}
