/**
 * The one OpenStack client of PF9 Ops. Build one per job or task: it owns its session, endpoint
 * and microversion state and its concurrency limits; only the token cache (and the bounded
 * keep-alive agent) is shared between clients (OSC-8).
 */
import type { CloudConfig } from '../config';
import { CinderApi } from './cinder';
import { ResolveOptions, ResolvedCloud, resolveCloud } from './clouds';
import { GlanceApi } from './glance';
import { KeystoneApi } from './keystone';
import { MicroversionService, NegotiatedVersion } from './microversions';
import { NeutronApi } from './neutron';
import { NovaApi } from './nova';
import { PlacementApi } from './placement';
import { HttpTransport, TransportOptions } from './request';
import { OpenStackSession, ServiceType } from './session';
import { TokenCache } from './tokenCache';

export interface OpenStackClientOptions
  extends Omit<TransportOptions, 'caFile' | 'insecure'> {
  /** share tokens through this cache instead of the process-wide one */
  tokenCache?: TokenCache;
  desiredMicroversions?: Partial<Record<MicroversionService, string>>;
  /** environment, working and home directory for clouds.yaml / OS_* resolution (tests) */
  resolve?: ResolveOptions;
}

export interface OpenStackClient {
  readonly cloudId: string;
  readonly cloud: ResolvedCloud;
  readonly readOnly: boolean;
  readonly session: OpenStackSession;
  readonly transport: HttpTransport;
  readonly identity: KeystoneApi;
  readonly compute: NovaApi;
  readonly blockStorage: CinderApi;
  readonly network: NeutronApi;
  readonly image: GlanceApi;
  readonly placement: PlacementApi;
  /** true when the token holds the `admin` role (OSC-6) */
  isAdmin(): Promise<boolean>;
  endpoint(service: ServiceType): Promise<string>;
  microversion(service: MicroversionService): Promise<NegotiatedVersion>;
}

/** Builds a client for one cloud; a CloudConfig (app-config) or an already resolved cloud. */
export function createOpenStackClient(
  cloud: CloudConfig | ResolvedCloud,
  options: OpenStackClientOptions = {},
): OpenStackClient {
  const resolved: ResolvedCloud =
    'source' in cloud &&
    typeof (cloud as ResolvedCloud).auth?.method === 'string'
      ? (cloud as ResolvedCloud)
      : resolveCloud(cloud as CloudConfig, options.resolve);
  const logger = options.logger;
  if (resolved.insecure) {
    // OSC-9: said at every start, so nobody forgets verification is off
    logger?.warn(
      `OpenStack cloud '${resolved.id}': TLS certificate verification is OFF (insecure: true)`,
    );
  }
  const transport = new HttpTransport({
    ...options,
    caFile: resolved.caFile,
    insecure: resolved.insecure,
  });
  const session = new OpenStackSession(resolved, transport, {
    tokenCache: options.tokenCache,
    logger,
    desiredMicroversions: options.desiredMicroversions,
  });
  return {
    cloudId: resolved.id,
    cloud: resolved,
    readOnly: transport.readOnly,
    session,
    transport,
    identity: new KeystoneApi(session),
    compute: new NovaApi(session),
    blockStorage: new CinderApi(session),
    network: new NeutronApi(session),
    image: new GlanceApi(session),
    placement: new PlacementApi(session),
    isAdmin: () => session.isAdmin(),
    endpoint: service => session.endpoint(service),
    microversion: service => session.microversion(service),
  };
}
