import { TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import { promises as fs } from 'fs';
import JSZip from 'jszip';
import { Knex } from 'knex';
import os from 'os';
import path from 'path';
import request from 'supertest';
import { readXlsx, table } from '../export/__testUtils__/read';
import { startTinySim } from '../inventory/__testUtils__/harness';
import { startPf9Backend } from './__testUtils__/backend';
import { closeSharedAgents } from '../openstack';
import { simCloud } from '../openstack/__testUtils__/sim';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const TOKENS = {
  technical: 'technical-token-0123456789',
  viewer: 'viewer-token-0123456789',
  scoped: 'scoped-token-0123456789',
  nobody: 'nobody-token-0123456789',
};
const auth = (who: keyof typeof TOKENS) => `Bearer ${TOKENS[who]}`;

const binary = (
  res: any,
  callback: (e: Error | null, body: Buffer) => void,
) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('export and delta routes', () => {
  let sim: Simulator;
  let db: Knex;
  let server: any;
  let dir: string;
  let scopedDomain: string;
  let otherDomain: string;
  let firstRunId: string;

  beforeAll(async () => {
    sim = await startTinySim();
    db = await databases.init('SQLITE_3');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pf9-export-routes-'));
    const domains = [
      ...new Set(
        sim.state.projects
          .all()
          .map(p => p.domain_id as string)
          .filter(d => d !== 'default'),
      ),
    ];
    [scopedDomain, otherDomain] = domains;
    ({ server } = await startPf9Backend({
      db,
      databases,
      tokens: {
        'tech-bot': TOKENS.technical,
        'viewer-bot': TOKENS.viewer,
        'scoped-bot': TOKENS.scoped,
        'nobody-bot': TOKENS.nobody,
      },
      pf9: {
        clouds: [simCloud(sim)],
        access: {
          roles: {
            technical: ['service:external:tech-bot'],
            viewer: [
              'service:external:viewer-bot',
              'service:external:scoped-bot',
            ],
          },
          scopes: [
            { group: 'service:external:scoped-bot', domainIds: [scopedDomain] },
          ],
        },
        inventory: { schedule: { initialDelay: { hours: 1 } } },
        export: { directory: dir, schedule: { enabled: false } },
      },
    }));
    firstRunId = await sync();
  });

  afterAll(async () => {
    await sim.close();
    await closeSharedAgents();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function sync(): Promise<string> {
    const res = await request(server)
      .post('/api/pf9/inventory/runs')
      .set('Authorization', auth('technical'))
      .send({ cloudId: 'sim' });
    expect(res.status).toBe(202);
    for (let i = 0; i < 400; i++) {
      const run = await request(server)
        .get(`/api/pf9/inventory/runs/${res.body.runId}`)
        .set('Authorization', auth('viewer'));
      if (run.body.status !== 'running') {
        expect(run.body.status).toBe('succeeded');
        return res.body.runId;
      }
      await new Promise(r => setTimeout(r, 25));
    }
    throw new Error('sync did not finish');
  }

  const post = (who: keyof typeof TOKENS, body: unknown) =>
    request(server)
      .post('/api/pf9/inventory/exports')
      .set('Authorization', auth(who))
      .send(body as any);

  async function waitForExport(id: string, who: keyof typeof TOKENS) {
    for (let i = 0; i < 400; i++) {
      const res = await request(server)
        .get(`/api/pf9/inventory/exports/${id}`)
        .set('Authorization', auth(who));
      expect(res.status).toBe(200);
      if (res.body.status === 'done' || res.body.status === 'failed')
        return res.body;
      await new Promise(r => setTimeout(r, 25));
    }
    throw new Error(`export ${id} did not finish`);
  }

  async function download(id: string, who: keyof typeof TOKENS) {
    return request(server)
      .get(`/api/pf9/inventory/exports/${id}/file`)
      .set('Authorization', auth(who))
      .buffer(true)
      .parse(binary);
  }

  it('refuses callers without pf9.inventory.export (403) and audits the denial', async () => {
    const res = await post('nobody', {
      format: 'xlsx',
      masking: 'partial',
      scope: { domainIds: [scopedDomain] },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
    const denied = await db('audit_events').where({
      event_id: 'access.denied',
      actor: 'service:external:nobody-bot',
    });
    expect(denied.length).toBeGreaterThan(0);
  });

  it('refuses an unmasked export without pf9.inventory.export.unmasked (403, EXP-8)', async () => {
    const res = await post('viewer', { format: 'xlsx', masking: 'none' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/pf9\.inventory\.export\.unmasked/);
  });

  it.each([
    [
      'a masked export without scope',
      { format: 'xlsx', masking: 'partial' },
      /non-empty scope/,
    ],
    [
      'a masked export with an empty scope',
      {
        format: 'csv',
        masking: 'pseudonym',
        scope: { domainIds: [], projectIds: [] },
      },
      /non-empty scope/,
    ],
    [
      'a missing format',
      { masking: 'partial', scope: { domainIds: ['d'] } },
      /format/,
    ],
    ['an unknown format', { format: 'ods', masking: 'none' }, /format/],
    ['an unknown masking', { format: 'xlsx', masking: 'full' }, /masking/],
    [
      'an unknown sheet',
      { format: 'xlsx', masking: 'none', sheets: ['Secrets'] },
      /sheets/,
    ],
    [
      'an unknown field',
      { format: 'xlsx', masking: 'none', force: true },
      /force/,
    ],
    [
      'an unknown cloud',
      { format: 'xlsx', masking: 'none', cloudId: 'nope' },
      /unknown cloud 'nope'/,
    ],
    [
      'an unknown run',
      { format: 'xlsx', masking: 'none', runId: 'no-such-run' },
      /runId/,
    ],
    [
      'an unknown compare run',
      { format: 'xlsx', masking: 'none', compareToRunId: 'no-such-run' },
      /compareToRunId/,
    ],
  ])('answers 400 for %s', async (_what, body, message) => {
    const res = await post('technical', body);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(message);
  });

  it('runs a masked export in the background, serves its status and file, and audits the real caller', async () => {
    const res = await post('viewer', {
      format: 'xlsx',
      masking: 'pseudonym',
      scope: { domainIds: [scopedDomain] },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ exportId: expect.any(String) });
    const status = await waitForExport(res.body.exportId, 'viewer');
    expect(status).toMatchObject({
      exportId: res.body.exportId,
      cloudId: 'sim',
      status: 'done',
      format: 'xlsx',
      masking: 'pseudonym',
      runId: firstRunId,
      requestedBy: 'service:external:viewer-bot',
      fileName: expect.stringMatching(
        /^pf9_inventory_sim_\d{4}-\d\d-\d\d_\d{6}Z\.xlsx$/,
      ),
      expiresAt: expect.stringMatching(/Z$/),
    });
    expect(
      new Date(status.expiresAt).getTime() -
        new Date(status.createdAt).getTime(),
    ).toBe(7 * 86_400_000);

    const file = await download(res.body.exportId, 'viewer');
    expect(file.status).toBe(200);
    expect(file.headers['content-disposition']).toBe(
      `attachment; filename="${status.fileName}"`,
    );
    expect(file.headers['content-type']).toMatch(/spreadsheetml/);
    const workbook = await readXlsx(file.body);
    expect(workbook.names).not.toContain('Hypervisors');
    const servers = table(workbook.sheets.Servers);
    const inScope = sim.state.servers.filter(
      s => sim.state.projects.get(s.tenant_id)?.domain_id === scopedDomain,
    );
    expect(servers.data).toHaveLength(inScope.length);

    const events = await db('audit_events')
      .where({ event_id: 'inventory.export' })
      .orderBy('id');
    expect(
      events.map(e => [
        e.actor,
        e.outcome,
        e.target_id,
        JSON.parse(e.details).action,
      ]),
    ).toEqual([
      ['service:external:viewer-bot', 'success', res.body.exportId, 'create'],
      ['service:external:viewer-bot', 'success', res.body.exportId, 'download'],
    ]);

    // a scoped caller sees only their own exports
    const hidden = await request(server)
      .get(`/api/pf9/inventory/exports/${res.body.exportId}`)
      .set('Authorization', auth('scoped'));
    expect(hidden.status).toBe(404);
    const missing = await request(server)
      .get('/api/pf9/inventory/exports/no-such-export')
      .set('Authorization', auth('viewer'));
    expect(missing.status).toBe(404);
  });

  it('keeps unmasked files from callers without the unmasked permission, and serves CSV as a ZIP', async () => {
    const res = await post('technical', {
      format: 'csv',
      masking: 'none',
      sheets: ['Servers', 'Summary'],
      csvBom: true,
    });
    expect(res.status).toBe(202);
    const status = await waitForExport(res.body.exportId, 'technical');
    expect(status.fileName).toMatch(/\.zip$/);
    const denied = await request(server)
      .get(`/api/pf9/inventory/exports/${res.body.exportId}`)
      .set('Authorization', auth('viewer'));
    expect(denied.status).toBe(403);
    const deniedFile = await download(res.body.exportId, 'viewer');
    expect(deniedFile.status).toBe(403);
    const file = await download(res.body.exportId, 'technical');
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/zip');
    const zip = await JSZip.loadAsync(file.body);
    expect(Object.keys(zip.files).sort()).toEqual([
      'Servers.csv',
      'Summary.csv',
    ]);
    expect(
      (await zip.file('Servers.csv')!.async('string')).startsWith(
        '\uFEFFServer ID,Name,',
      ),
    ).toBe(true);
  });

  it("filters by the caller's permission scope as well as the requested one", async () => {
    const res = await post('scoped', {
      format: 'xlsx',
      masking: 'partial',
      scope: { domainIds: [otherDomain] },
    });
    expect(res.status).toBe(202);
    await waitForExport(res.body.exportId, 'scoped');
    const file = await download(res.body.exportId, 'scoped');
    const workbook = await readXlsx(file.body);
    for (const sheet of ['Servers', 'Volumes', 'Projects', 'Ports']) {
      expect(table(workbook.sheets[sheet]).data).toEqual([]);
    }
  });

  it('answers the delta between two syncs (EXP-10), by default the previous complete run and the latest', async () => {
    const renamed = sim.state.servers.filter(
      s => sim.state.projects.get(s.tenant_id)?.domain_id === otherDomain,
    )[0] as any;
    const oldName = renamed.name;
    renamed.name = `${oldName}-new`;
    const volume = sim.state.volumes
      .all()
      .find(
        v =>
          !v.attachments.length &&
          !sim.state.snapshots.all().some(s => s.volume_id === v.id),
      )!;
    sim.state.volumes.remove(volume.id);
    const secondRunId = await sync();

    const res = await request(server)
      .get('/api/pf9/inventory/delta?types=server,volume')
      .set('Authorization', auth('viewer'));
    expect(res.status).toBe(200);
    expect(res.body.from.runId).toBe(firstRunId);
    expect(res.body.to.runId).toBe(secondRunId);
    expect(res.body.types.map((t: any) => t.type)).toEqual([
      'server',
      'volume',
    ]);
    const [servers, volumes] = res.body.types;
    expect(servers).toMatchObject({
      status: 'ok',
      added: [],
      removed: [],
      counts: { added: 0, removed: 0, changed: 1 },
    });
    expect(servers.changed[0]).toMatchObject({
      id: renamed.id,
      name: `${oldName}-new`,
    });
    expect(servers.changed[0].changedFields).toContainEqual({
      field: 'name',
      old: oldName,
      new: `${oldName}-new`,
    });
    expect(volumes.removed.map((v: any) => v.id)).toEqual([volume.id]);

    const explicit = await request(server)
      .get(
        `/api/pf9/inventory/delta?from=${firstRunId}&to=${secondRunId}&types=server`,
      )
      .set('Authorization', auth('viewer'));
    expect(explicit.body.types).toEqual([servers]);

    // a scoped caller sees the changes inside its scope only
    const scoped = await request(server)
      .get('/api/pf9/inventory/delta?types=server')
      .set('Authorization', auth('scoped'));
    expect(scoped.body.types[0].changed).toEqual([]);

    const all = await request(server)
      .get('/api/pf9/inventory/delta')
      .set('Authorization', auth('viewer'));
    expect(all.body.types).toHaveLength(29);
  });

  it.each([
    ['?types=server,bogus', /types/],
    ['?from=no-such-run', /from/],
    ['?cloudId=other', /unknown cloud/],
    ['?extra=1', /extra/],
  ])('answers 400 for GET /delta%s', async (query, message) => {
    const res = await request(server)
      .get(`/api/pf9/inventory/delta${query}`)
      .set('Authorization', auth('viewer'));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('refuses the delta to a caller without pf9.inventory.read (403)', async () => {
    const res = await request(server)
      .get('/api/pf9/inventory/delta')
      .set('Authorization', auth('nobody'));
    expect(res.status).toBe(403);
  });
});
