import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import ExcelJS from 'exceljs';
import express from 'express';
import JSZip from 'jszip';
import request from 'supertest';
import { ComplianceRow, rollUp } from '../compliance/evaluate';
import { COMPLIANCE_ROWS_SHEET } from '../compliance/export';
import type { ComplianceService } from '../compliance/service';
import type { RouteAuthorizer } from '../permissions/authorizer';
import type { AuditLog } from '../store/audit';
import { createComplianceRouter } from './compliance';

function row(overrides: Partial<ComplianceRow> = {}): ComplianceRow {
  return {
    volumeId: 'vol-1',
    volumeName: 'data',
    projectId: 'p1',
    projectName: 'Project One',
    domainId: 'd1',
    domainName: 'Domain One',
    serverId: null,
    serverName: null,
    policy: 'daily_5',
    retention: 5,
    period: '2026-11-25',
    snapshotCount: 3,
    lastSnapshotAt: '2026-11-25T01:00:00.000Z',
    status: 'compliant',
    reason: null,
    slaDays: 'daily',
    ...overrides,
  };
}

const ROWS = [
  row({
    volumeId: 'vol-2',
    volumeName: '=HYPERLINK("http://evil.example","x")',
    projectName: '+cmd',
    status: 'missing',
    reason: 'no available snapshot since 2026-11-25T00:00:00.000Z',
    snapshotCount: 0,
    lastSnapshotAt: null,
  }),
  row(),
];

function setup(options: { evaluated?: boolean } = {}) {
  const allRows = jest.fn(async (_cloudId: string, _filter: any) =>
    options.evaluated === false
      ? { evaluation: undefined, summary: null, items: [] }
      : {
          evaluation: {
            id: 'eval-1',
            cloudId: 'demo',
            evaluatedAt: '2026-11-26T08:00:00.000Z',
            trigger: 'test',
            rollups: {} as any,
          },
          summary: rollUp('all', null, ROWS),
          items: ROWS,
        },
  );
  const record = jest.fn(async () => {});
  const authorize = jest.fn(async (_req: unknown, _permission: unknown) => ({
    credentials: {} as any,
    actor: 'user:default/ann',
    scope: undefined,
  }));
  const server = express();
  server.use(
    createComplianceRouter({
      compliance: {
        cloudIds: () => ['demo'],
        allRows,
      } as unknown as ComplianceService,
      authorizer: { authorize } as unknown as RouteAuthorizer,
      audit: { record } as unknown as AuditLog,
    }),
  );
  server.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(),
  );
  return { server, allRows, record, authorize };
}

function binary(res: any, callback: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

describe('GET /compliance/export', () => {
  it('streams an XLSX with a Summary and a Rows sheet of fixed columns, neutralised text, audited', async () => {
    const { server, allRows, record, authorize } = setup();
    const res = await request(server)
      .get('/export?format=xlsx&domainId=d1&status=missing')
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="pf9-compliance-demo-2026-11-26T08-00-00-000Z.xlsx"',
    );
    expect(authorize).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ name: 'pf9.snapshots.read' }),
    );
    expect(allRows).toHaveBeenCalledWith(
      'demo',
      { domainId: 'd1', status: 'missing' },
      undefined,
    );

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body);
    expect(workbook.worksheets.map(w => w.name)).toEqual(['Summary', 'Rows']);
    const summary = workbook.getWorksheet('Summary')!;
    const lines = new Map<string, unknown>();
    summary.eachRow(r =>
      lines.set(String(r.getCell(1).value), r.getCell(2).value),
    );
    expect(lines.get('Data as of (evaluated at)')).toBe(
      '2026-11-26T08:00:00.000Z',
    );
    expect(lines.get('Domain filter')).toBe('d1');
    expect(lines.get('Compliance % (pairs)')).toBe('50');
    expect(lines.get('Pairs missing')).toBe('1');

    const rows = workbook.getWorksheet('Rows')!;
    expect((rows.getRow(1).values as unknown[]).slice(1)).toEqual(
      COMPLIANCE_ROWS_SHEET.columns.map(c => c.header),
    );
    expect(rows.getRow(1).values).toEqual([
      undefined,
      'Status',
      'Volume ID',
      'Volume name',
      'Policy',
      'Retention',
      'Period',
      'Snapshot count',
      'Last snapshot at',
      'Reason',
      'SLA days',
      'Project ID',
      'Project name',
      'Domain ID',
      'Domain name',
      'Server ID',
      'Server name',
    ]);
    expect(rows.getCell('A2').value).toBe('missing');
    expect(rows.getCell('C2').value).toBe(
      '\'=HYPERLINK("http://evil.example","x")',
    );
    expect(rows.getCell('L2').value).toBe("'+cmd");
    expect(rows.getCell('E3').value).toBe(5);
    expect(rows.getCell('G3').value).toBe(3);
    rows.eachRow(r =>
      r.eachCell(c => expect(c.type).not.toBe(ExcelJS.ValueType.Formula)),
    );

    expect(record).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'compliance.export',
        actor: 'user:default/ann',
        outcome: 'success',
        details: expect.objectContaining({ format: 'xlsx', rows: 2 }),
      }),
    );
  });

  it('writes the same sheets as a ZIP of CSV files', async () => {
    const { server } = setup();
    const res = await request(server)
      .get('/export?format=csv')
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const zip = await JSZip.loadAsync(res.body);
    expect(Object.keys(zip.files).sort()).toEqual(['Rows.csv', 'Summary.csv']);
    const csv = (await zip.file('Rows.csv')!.async('string')).split('\r\n');
    expect(csv[0]).toBe(
      'Status,Volume ID,Volume name,Policy,Retention,Period,Snapshot count,Last snapshot at,Reason,SLA days,Project ID,Project name,Domain ID,Domain name,Server ID,Server name',
    );
    expect(csv[1]).toContain('"\'=HYPERLINK(""http://evil.example"",""x"")"');
    expect(csv[1]).toContain(",'+cmd,");
  });

  it('answers 400 on a bad format or an unknown parameter, 409 before any evaluation', async () => {
    const { server, allRows, record } = setup();
    const bad = await request(server).get('/export?format=pdf');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/format/);
    const unknown = await request(server).get('/export?sort=name');
    expect(unknown.status).toBe(400);
    expect(allRows).not.toHaveBeenCalled();
    expect(record).not.toHaveBeenCalled();

    const none = await request(setup({ evaluated: false }).server).get(
      '/export',
    );
    expect(none.status).toBe(409);
  });
});
