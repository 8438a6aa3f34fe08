import { TestDatabases } from '@backstage/backend-test-utils';
import type { Simulator } from '@internal/openstack-sim';
import express from 'express';
import request from 'supertest';
import { createMetricsRouter } from '../metrics/router';
import {
  countsByType,
  migrated,
  simEngine,
  startTinySim,
} from './__testUtils__/harness';
import { inventoryMetricFamilies } from './metrics';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
let sim: Simulator;

beforeAll(async () => {
  sim = await startTinySim();
});
afterAll(async () => {
  await sim.close();
});

describe('inventory metric families', () => {
  it.each(databases.eachSupportedId())(
    'render counts per type and project, listing outcomes and sync times from the store on %p',
    async id => {
      const db = await migrated(await databases.init(id));
      await simEngine(db, sim).run('sim', 'on_demand', 'user:default/test');
      const app = express().use(
        createMetricsRouter({
          families: inventoryMetricFamilies(db),
          cloudIds: ['sim'],
          allowAnonymousScrape: true,
        }),
      );
      const { text } = await request(app).get('/metrics');
      const counts = await countsByType(db);
      for (const type of ['server', 'volume', 'project']) {
        expect(text).toContain(
          `pf9_inventory_resources{cloud="sim",type="${type}"} ${counts[type]}`,
        );
      }
      expect(text).toContain(
        'pf9_inventory_listing_complete{cloud="sim",type="server"} 1',
      );
      expect(text).toMatch(
        /pf9_inventory_last_sync_timestamp_seconds\{cloud="sim",type="volume"\} \d+/,
      );
      expect(text).toMatch(
        /pf9_inventory_sync_duration_seconds\{cloud="sim",type="volume"\} [\d.e-]+/,
      );
      const projectInfo = text.match(/^pf9_project_info\{.*\} 1$/gm) ?? [];
      expect(projectInfo).toHaveLength(counts.project);
      expect(projectInfo[0]).toMatch(
        /project_id="[^"]+",project="[^"]+",domain_id="[^"]+",domain="[^"]+"/,
      );
      const servers = [...text.matchAll(/^pf9_project_servers\{.*\} (\d+)$/gm)];
      expect(servers.reduce((sum, m) => sum + Number(m[1]), 0)).toBe(
        counts.server,
      );
    },
  );
});
