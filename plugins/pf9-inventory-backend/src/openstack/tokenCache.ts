/**
 * The only state shared between clients (OSC-8): Keystone tokens keyed by (credential, scope).
 * A token request in flight is shared, so N jobs starting together authenticate once.
 */

export interface CatalogEndpoint {
  id?: string;
  interface: string;
  region?: string | null;
  region_id?: string | null;
  url: string;
}

export interface CatalogEntry {
  type: string;
  name?: string;
  id?: string;
  endpoints: CatalogEndpoint[];
}

export interface TokenInfo {
  id: string;
  expiresAt: Date;
  issuedAt?: Date;
  userId?: string;
  userName?: string;
  projectId?: string;
  projectName?: string;
  projectDomainId?: string;
  domainId?: string;
  roles: string[];
  catalog: CatalogEntry[];
  methods: string[];
}

export class TokenCache {
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly inFlight = new Map<string, Promise<TokenInfo>>();
  /** number of Keystone authentications performed through this cache */
  authCount = 0;

  get(key: string): TokenInfo | undefined {
    return this.tokens.get(key);
  }

  /**
   * Returns the cached token when `usable` accepts it; otherwise runs (or joins) one
   * authentication for the key.
   */
  async obtain(
    key: string,
    usable: (t: TokenInfo) => boolean,
    authenticate: () => Promise<TokenInfo>,
  ): Promise<TokenInfo> {
    const cached = this.tokens.get(key);
    if (cached && usable(cached)) return cached;
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = (async () => {
      this.authCount++;
      try {
        const token = await authenticate();
        this.tokens.set(key, token);
        return token;
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, p);
    return p;
  }

  /** Drops the token of `key` if it is still the one that was refused (another caller may have renewed it). */
  invalidate(key: string, tokenId?: string): void {
    const cached = this.tokens.get(key);
    if (cached && (tokenId === undefined || cached.id === tokenId)) {
      this.tokens.delete(key);
    }
  }

  clear(): void {
    this.tokens.clear();
  }
}

/** The process-wide cache used unless a client is given its own. */
export const sharedTokenCache = new TokenCache();
