import express from 'express';
import request from 'supertest';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import { buildInfoFamily } from './buildInfo';
import { MetricFamily } from './families';
import { createMetricsRouter, MetricsRouterOptions } from './router';

function app(options: Partial<MetricsRouterOptions>, families: MetricFamily[]) {
  const server = express();
  server.use(
    createMetricsRouter({
      families,
      cloudIds: ['east', 'west'],
      metricsToken: 'scrape-token-0123456789',
      allowAnonymousScrape: false,
      ...options,
    }),
  );
  server.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(),
  );
  return server;
}

function countingFamily(): MetricFamily & { calls: number } {
  const family = {
    name: 'pf9_inventory_resources',
    help: 'Stored resources per type',
    type: 'gauge' as const,
    labelNames: ['type'],
    calls: 0,
    collect: async (cloudId: string) => {
      family.calls += 1;
      return [
        { labels: { type: 'server' }, value: cloudId === 'east' ? 3 : 5 },
        { labels: { type: 'weird"type\\x' }, value: 1 },
      ];
    },
  };
  return family;
}

describe('GET /metrics', () => {
  it('requires the bearer token unless anonymous scraping is allowed', async () => {
    const families = [buildInfoFamily('1.2.3')];
    expect((await request(app({}, families)).get('/metrics')).status).toBe(401);
    expect(
      (
        await request(app({}, families))
          .get('/metrics')
          .set('Authorization', 'Bearer wrong-token-0123456789')
      ).status,
    ).toBe(401);
    expect(
      (
        await request(app({ metricsToken: undefined }, families))
          .get('/metrics')
          .set('Authorization', 'Bearer ')
      ).status,
    ).toBe(401);
    expect(
      (
        await request(app({ allowAnonymousScrape: true }, families)).get(
          '/metrics',
        )
      ).status,
    ).toBe(200);
  });

  it('renders every family per cloud with HELP, TYPE and escaped labels', async () => {
    const response = await request(
      app({}, [buildInfoFamily('1.2.3'), countingFamily()]),
    )
      .get('/metrics')
      .set('Authorization', 'Bearer scrape-token-0123456789');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain(
      'text/plain; version=0.0.4; charset=utf-8',
    );
    expect(response.text).toContain(
      '# HELP pf9_inventory_resources Stored resources per type',
    );
    expect(response.text).toContain('# TYPE pf9_inventory_resources gauge');
    expect(response.text).toContain(
      'pf9_inventory_resources{cloud="east",type="server"} 3',
    );
    expect(response.text).toContain(
      'pf9_inventory_resources{cloud="west",type="server"} 5',
    );
    expect(response.text).toContain(
      'pf9_inventory_resources{cloud="east",type="weird\\"type\\\\x"} 1',
    );
    expect(response.text).toContain(
      'pf9_build_info{cloud="east",version="1.2.3"} 1',
    );
  });

  it('answers OpenMetrics when the scraper asks for it', async () => {
    const response = await request(
      app({ allowAnonymousScrape: true }, [buildInfoFamily('1.2.3')]),
    )
      .get('/metrics')
      .set(
        'Accept',
        'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5',
      );
    expect(response.headers['content-type']).toContain(
      'application/openmetrics-text',
    );
    expect(response.text.trim().endsWith('# EOF')).toBe(true);
  });

  it('serves a rendered body for 15 s before reading the store again', async () => {
    let clock = 0;
    const family = countingFamily();
    const server = app({ allowAnonymousScrape: true, now: () => clock }, [
      family,
    ]);
    await request(server).get('/metrics');
    expect(family.calls).toBe(2); // one collect per cloud
    clock = 14_999;
    await request(server).get('/metrics');
    expect(family.calls).toBe(2);
    clock = 15_000;
    await request(server).get('/metrics');
    expect(family.calls).toBe(4);
  });
});
