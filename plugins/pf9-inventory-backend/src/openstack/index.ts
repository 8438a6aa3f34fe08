/** The OpenStack client of PF9 Ops (SPEC §0.3): the public surface. */
export { createOpenStackClient } from './client';
export type { OpenStackClient, OpenStackClientOptions } from './client';
export {
  resolveCloud,
  resolveClouds,
  cloudsYamlCandidates,
  normaliseAuthUrl,
} from './clouds';
export type { ResolvedCloud, ResolvedAuth, ResolveOptions } from './clouds';
export * from './errors';
export { HttpTransport, closeSharedAgents, parseRetryAfter } from './request';
export type {
  OpenStackLogger,
  TransportOptions,
  SentRequest,
  HttpResponse,
} from './request';
export { OpenStackSession, selectEndpoint, fillProject } from './session';
export type { ServiceType, RequestOptions } from './session';
export { TokenCache, sharedTokenCache } from './tokenCache';
export type { TokenInfo, CatalogEntry } from './tokenCache';
export { DESIRED_MICROVERSIONS } from './microversions';
export type { NegotiatedVersion, MicroversionService } from './microversions';
export { DEFAULT_PAGE_SIZE, MAX_PAGES } from './paging';
export type { Listing, PartitionedListing } from './paging';
export { ConcurrencyLimiter, mapWithConcurrency } from './limiter';
export * from './keystone';
export * from './nova';
export * from './cinder';
export * from './neutron';
export * from './glance';
export * from './placement';
export { quotaHeadroom } from './quota';
