import { PassThrough } from 'node:stream';
import { readCsvZip, readXlsx } from './__testUtils__/read';
import { createTableWriter, writeSummarySheet } from './index';

const lines = [
  ['Cloud', 'demo'],
  ['Rows', 2],
  ['Compliance % (pairs)', 50.5],
  ['Finished at', null],
  ['Error summary', undefined],
  ['Triggered by', '=cmd'],
] as const;

async function summaryFile(format: 'xlsx' | 'csv') {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', chunk => chunks.push(chunk));
  const writer = createTableWriter(format, out);
  await writeSummarySheet(writer, lines);
  await writer.finish();
  return Buffer.concat(chunks);
}

describe('writeSummarySheet', () => {
  it('writes an Item/Value Summary sheet of text, empty for missing values, neutralised', async () => {
    const csv = await readCsvZip(await summaryFile('csv'));
    expect(Object.keys(csv)).toEqual(['Summary']);
    expect(csv.Summary).toEqual([
      ['Item', 'Value'],
      ['Cloud', 'demo'],
      ['Rows', '2'],
      ['Compliance % (pairs)', '50.5'],
      ['Finished at', ''],
      ['Error summary', ''],
      ['Triggered by', "'=cmd"],
    ]);

    const xlsx = await readXlsx(await summaryFile('xlsx'));
    expect(xlsx.names).toEqual(['Summary']);
    // numbers are text cells too, so the Value column reads as written
    expect(xlsx.sheets.Summary[2]).toEqual(['Rows', '2']);
    expect(xlsx.sheets.Summary[4]).toEqual(['Finished at', null]);
  });
});
