import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { Pf9Client } from '@internal/plugin-pf9-common';

/** Reaches the pf9 REST API as the user who runs the template, never as the scaffolder itself. */
export class Pf9ApiCaller {
  constructor(
    private readonly deps: { auth: AuthService; discovery: DiscoveryService },
  ) {}

  /**
   * The typed pf9 client for one initiator. Each request asks for a fresh on-behalf-of token, because a
   * restore can outlive a single token.
   */
  clientFor(onBehalfOf: BackstageCredentials): Pf9Client {
    const { auth, discovery } = this.deps;
    const fetchOnBehalf = async (
      input: string | URL | Request,
      init?: RequestInit,
    ): Promise<Response> => {
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf,
        targetPluginId: 'pf9',
      });
      const headers = new Headers(init?.headers);
      headers.set('Authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    };
    return new Pf9Client({
      discoveryApi: discovery,
      fetchApi: { fetch: fetchOnBehalf },
    });
  }
}
