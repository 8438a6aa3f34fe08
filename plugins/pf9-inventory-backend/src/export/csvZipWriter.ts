import archiver from 'archiver';
import { Readable, Writable } from 'node:stream';
import { SheetSpec, toCell } from './cells';
import { Row, RowSource, TableWriter } from './tableWriter';

const NEEDS_QUOTES = /[",\r\n]/;

/** One RFC 4180 field: quoted when it holds a quote, comma or line break; quotes doubled. */
function csvField(cell: string | number | null): string {
  if (cell === null) return '';
  const text = String(cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(cells: readonly (string | number | null)[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

async function* csvLines(
  sheet: SheetSpec,
  rows: RowSource,
  bom: boolean,
): AsyncGenerator<string> {
  let head = bom ? '\uFEFF' : '';
  // the same layout as the XLSX sheet: label/value lines, an empty line, then the table
  for (const [label, value] of sheet.preamble ?? []) {
    head += csvLine([toCell('text', label), toCell('text', value)]);
  }
  if (sheet.preamble?.length) head += '\r\n';
  yield head + csvLine(sheet.columns.map(c => c.header));
  for await (const row of rows() as AsyncIterable<Row>) {
    yield csvLine(
      sheet.columns.map((column, index) => toCell(column.kind, row[index])),
    );
  }
}

/** A ZIP with one `<Sheet>.csv` per sheet (SPEC EXP-6), UTF-8, CRLF, optional BOM. */
export class CsvZipTableWriter implements TableWriter {
  private readonly archive = archiver('zip', { zlib: { level: 6 } });
  private readonly done: Promise<void>;

  constructor(
    output: Writable,
    private readonly options: { bom?: boolean } = {},
  ) {
    this.done = new Promise((resolve, reject) => {
      output.on('close', resolve).on('finish', resolve).on('error', reject);
      this.archive.on('error', reject);
    });
    this.archive.pipe(output);
  }

  async writeSheet(sheet: SheetSpec, rows: RowSource): Promise<void> {
    const name = `${sheet.name}.csv`;
    const written = new Promise<void>(resolve => {
      const onEntry = (entry: archiver.EntryData) => {
        if (entry.name === name) {
          this.archive.off('entry', onEntry);
          resolve();
        }
      };
      this.archive.on('entry', onEntry);
    });
    this.archive.append(
      Readable.from(csvLines(sheet, rows, this.options.bom ?? false)),
      { name },
    );
    await written;
  }

  async finish(): Promise<void> {
    await this.archive.finalize();
    await this.done;
  }
}
