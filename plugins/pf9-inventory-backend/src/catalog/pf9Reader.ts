import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/** A page of a pf9 list endpoint (SPEC COM-7). */
export interface Pf9Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

/**
 * Reads the pf9 REST API with the calling plugin's own service token, so the catalog and search modules
 * work when they run on other hosts than the pf9 plugin (DESIGN: they never read its tables directly).
 * Their service subjects need a pf9 role (`service:plugin:catalog`, `service:plugin:search`).
 */
export class Pf9Reader {
  constructor(
    private readonly deps: { auth: AuthService; discovery: DiscoveryService },
  ) {}

  async get<T>(
    path: string,
    query: Record<string, string | number> = {},
  ): Promise<T> {
    const { token } = await this.deps.auth.getPluginRequestToken({
      onBehalfOf: await this.deps.auth.getOwnServiceCredentials(),
      targetPluginId: 'pf9',
    });
    const url = new URL(
      `${await this.deps.discovery.getBaseUrl('pf9')}${path}`,
    );
    for (const [key, value] of Object.entries(query)) {
      url.searchParams.set(key, String(value));
    }
    const response = await fetch(url, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  /** Every item of a paged list endpoint, a page of 1000 at a time. */
  async *all<T>(
    path: string,
    query: Record<string, string | number> = {},
  ): AsyncGenerator<T> {
    for (let page = 1; ; page++) {
      const result = await this.get<Pf9Page<T>>(path, {
        ...query,
        page,
        pageSize: 1000,
      });
      yield* result.items;
      if (page * result.pageSize >= result.total || result.items.length === 0) {
        return;
      }
    }
  }
}
