import { AuthenticationError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { OpenMetricsContentType, Registry } from 'prom-client';
import { timingSafeEqual } from 'node:crypto';
import { MetricFamily, registerFamilies } from './families';

export interface MetricsRouterOptions {
  families: MetricFamily[];
  cloudIds: string[];
  /** The static bearer token scrapers send; required unless anonymous scraping is allowed. */
  metricsToken?: string;
  allowAnonymousScrape: boolean;
  /** How long a rendered body is served from cache (MON-6: 15 s). */
  cacheMs?: number;
  now?: () => number;
}

function tokenMatches(
  header: string | undefined,
  token: string | undefined,
): boolean {
  if (!token) {
    return false;
  }
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * `GET /metrics` in the Prometheus text format, or OpenMetrics when the Accept header asks for it. It renders
 * from stored data only and caches each format's body, so a scrape never reaches OpenStack.
 */
export function createMetricsRouter(options: MetricsRouterOptions) {
  const { families, cloudIds, metricsToken, allowAnonymousScrape } = options;
  const cacheMs = options.cacheMs ?? 15_000;
  const now = options.now ?? Date.now;
  const text = new Registry();
  const openMetrics = new Registry<OpenMetricsContentType>();
  openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  registerFamilies(families, cloudIds, [text, openMetrics]);
  const cache = new Map<Registry<any>, { body: Promise<string>; at: number }>();

  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (
      !allowAnonymousScrape &&
      !tokenMatches(req.headers.authorization, metricsToken)
    ) {
      throw new AuthenticationError('A valid metrics bearer token is required');
    }
    // Prometheus lists OpenMetrics in Accept when it can parse it; anything else gets text 0.0.4.
    const registry = (req.headers.accept ?? '').includes(
      'application/openmetrics-text',
    )
      ? openMetrics
      : text;
    let entry = cache.get(registry);
    if (!entry || now() - entry.at >= cacheMs) {
      entry = { body: registry.metrics(), at: now() };
      cache.set(registry, entry);
      // A failed render is not cached: the next scrape tries again.
      entry.body.catch(() => cache.delete(registry));
    }
    const body = await entry.body;
    // Set verbatim: res.type()/res.send() would rewrite the exposition format's content type.
    res.setHeader('Content-Type', registry.contentType);
    res.end(body);
  });
  return router as express.Router;
}
