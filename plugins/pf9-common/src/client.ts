import { Pf9AccessMe, Pf9Health } from './api';

/** The parts of Backstage's discoveryApi and fetchApi the client needs; both frontend APIs satisfy them. */
export interface Pf9ClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi: { fetch: typeof fetch };
}

/** An error response of the pf9 API, carrying the status and the server's error name and message. */
export class Pf9ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = 'Pf9ApiError';
  }
}

/** Typed client of the pf9 REST API, shared by both frontend plugins. */
export class Pf9Client {
  constructor(private readonly options: Pf9ClientOptions) {}

  getHealth(): Promise<Pf9Health> {
    return this.get('/health');
  }

  getAccessMe(): Promise<Pf9AccessMe> {
    return this.get('/access/me');
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('pf9');
    const response = await this.options.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      const body = await response.json().catch(() => undefined);
      throw new Pf9ApiError(
        response.status,
        body?.error?.name ?? 'Error',
        body?.error?.message ?? `${response.status} ${response.statusText}`,
      );
    }
    return (await response.json()) as T;
  }
}
