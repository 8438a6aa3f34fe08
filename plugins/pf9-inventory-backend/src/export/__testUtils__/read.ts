/** Test helpers: read an export file back into plain rows. */
import ExcelJS from 'exceljs';
import JSZip from 'jszip';

export type Cell = string | number | null;
export type Workbook = { names: string[]; sheets: Record<string, Cell[][]> };

function plain(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

export async function readXlsx(buffer: Buffer): Promise<Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as any);
  const sheets: Record<string, Cell[][]> = {};
  for (const ws of workbook.worksheets) {
    const rows: Cell[][] = [];
    const width = ws.columnCount;
    for (let r = 1; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      const cells: Cell[] = [];
      for (let c = 1; c <= width; c++) cells.push(plain(row.getCell(c).value));
      rows.push(cells);
    }
    sheets[ws.name] = rows;
  }
  return { names: workbook.worksheets.map(ws => ws.name), sheets };
}

/** RFC 4180 parser (quotes, doubled quotes, CRLF inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export async function readCsvZip(
  buffer: Buffer,
): Promise<Record<string, string[][]>> {
  const zip = await JSZip.loadAsync(buffer);
  const out: Record<string, string[][]> = {};
  for (const name of Object.keys(zip.files)) {
    out[name.replace(/\.csv$/, '')] = parseCsv(
      (await zip.file(name)!.async('string')).replace(/^\uFEFF/, ''),
    );
  }
  return out;
}

/** The header row and data rows of a sheet (below the Summary's preamble, if any). */
export function table(rows: Cell[][], headerRow = 0) {
  const header = rows[headerRow] as string[];
  const data = rows.slice(headerRow + 1);
  const col = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`no column ${name} in ${header.join(', ')}`);
    return data.map(r => r[index]);
  };
  return { header, data, col };
}
