/**
 * Turns a validated cloud config (inline auth, a clouds.yaml entry, or OS_* variables) into the
 * concrete settings a session needs. Resolution happens when a client is built, so a rotated
 * clouds.yaml or environment is picked up by the next job without a restart.
 */
import { createHash } from 'crypto';
import { existsSync, readFileSync } from 'fs';
import { homedir } from 'os';
import { isAbsolute, join, resolve as resolvePath } from 'path';
import { parse as parseYaml } from 'yaml';
import type { CloudConfig } from '../config';
import { OpenStackConfigError } from './errors';

export type EndpointInterface = 'public' | 'internal' | 'admin';

export interface ResolvedAuth {
  /** Keystone v3 URL, always ending in /v3 */
  authUrl: string;
  method: 'password' | 'application_credential';
  username?: string;
  userId?: string;
  password?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  domainName?: string;
  domainId?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
}

export interface ResolvedCloud {
  id: string;
  auth: ResolvedAuth;
  region?: string;
  interface: EndpointInterface;
  caFile?: string;
  insecure: boolean;
  /** where the settings came from, for logs (never the secret) */
  source: string;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  homeDir?: string;
}

/** The Default domain's id is `default`; Keystone ids are 32 hex digits. Anything else is a name. */
export function looksLikeDomainId(value: string): boolean {
  return value === 'default' || /^[0-9a-f]{32}$/i.test(value);
}

export function normaliseAuthUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  return /\/v3$/.test(trimmed) ? trimmed : `${trimmed}/v3`;
}

function expandHome(file: string, home: string): string {
  if (file === '~') return home;
  if (file.startsWith('~/')) return join(home, file.slice(2));
  return file;
}

/** The standard lookup order of openstacksdk / python-openstackclient. */
export function cloudsYamlCandidates(o: Required<ResolveOptions>): string[] {
  const list: string[] = [];
  if (o.env.OS_CLIENT_CONFIG_FILE) list.push(o.env.OS_CLIENT_CONFIG_FILE);
  list.push(
    join(o.cwd, 'clouds.yaml'),
    join(o.homeDir, '.config', 'openstack', 'clouds.yaml'),
    '/etc/openstack/clouds.yaml',
  );
  return list;
}

type Dict = Record<string, any>;

function str(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

function fromCloudsYamlEntry(
  id: string,
  entry: Dict,
  file: string,
  cloudName: string,
): Omit<ResolvedCloud, 'interface' | 'insecure'> & {
  interface?: EndpointInterface;
  insecure?: boolean;
} {
  const a: Dict = entry.auth ?? {};
  const authUrl = str(a.auth_url);
  if (!authUrl) {
    throw new OpenStackConfigError(
      `cloud '${id}': clouds.yaml ${file} entry '${cloudName}' has no auth.auth_url`,
    );
  }
  const appCredId = str(a.application_credential_id);
  const appCredName = str(a.application_credential_name);
  const isAppCred =
    String(entry.auth_type ?? '').includes('applicationcredential') ||
    !!appCredId;
  const auth: ResolvedAuth = {
    authUrl: normaliseAuthUrl(authUrl),
    method: isAppCred ? 'application_credential' : 'password',
    username: str(a.username),
    userId: str(a.user_id),
    password: str(a.password),
    userDomainName: str(a.user_domain_name) ?? str(a.domain_name),
    userDomainId: str(a.user_domain_id) ?? str(a.domain_id),
    projectName: str(a.project_name) ?? str(a.tenant_name),
    projectId: str(a.project_id) ?? str(a.tenant_id),
    projectDomainName: str(a.project_domain_name) ?? str(a.domain_name),
    projectDomainId: str(a.project_domain_id) ?? str(a.domain_id),
    applicationCredentialId: appCredId,
    applicationCredentialName: appCredName,
    applicationCredentialSecret: str(a.application_credential_secret),
  };
  const iface = str(entry.interface ?? entry.endpoint_type);
  return {
    id,
    auth,
    region: str(entry.region_name),
    interface: iface
      ? (iface.replace(/URL$/, '') as EndpointInterface)
      : undefined,
    caFile: str(entry.cacert),
    insecure: entry.verify === false ? true : undefined,
    source: `clouds.yaml ${file} (cloud ${cloudName})`,
  };
}

function loadCloudsYaml(
  id: string,
  cloudName: string,
  explicitFile: string | undefined,
  o: Required<ResolveOptions>,
) {
  const candidates = explicitFile
    ? [expandHome(explicitFile, o.homeDir)]
    : cloudsYamlCandidates(o);
  const tried: string[] = [];
  for (const candidate of candidates) {
    const file = isAbsolute(candidate)
      ? candidate
      : resolvePath(o.cwd, candidate);
    tried.push(file);
    if (!existsSync(file)) continue;
    let doc: Dict;
    try {
      doc = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Dict;
    } catch (e) {
      throw new OpenStackConfigError(
        `cloud '${id}': cannot parse ${file}: ${(e as Error).message}`,
      );
    }
    const entry = doc?.clouds?.[cloudName];
    if (entry) return fromCloudsYamlEntry(id, entry, file, cloudName);
    // openstacksdk reads only the first file found; an explicit file must hold the cloud
    throw new OpenStackConfigError(
      `cloud '${id}': ${file} has no cloud named '${cloudName}'`,
    );
  }
  throw new OpenStackConfigError(
    `cloud '${id}': no clouds.yaml found (looked at ${tried.join(', ')})`,
  );
}

function fromEnvironment(
  id: string,
  env: NodeJS.ProcessEnv,
): Omit<ResolvedCloud, 'interface' | 'insecure'> & {
  interface?: EndpointInterface;
  insecure?: boolean;
} {
  const authUrl = str(env.OS_AUTH_URL);
  if (!authUrl) {
    throw new OpenStackConfigError(
      `cloud '${id}': fromEnvironment needs OS_AUTH_URL (or OS_CLOUD)`,
    );
  }
  const appCredId = str(env.OS_APPLICATION_CREDENTIAL_ID);
  const auth: ResolvedAuth = {
    authUrl: normaliseAuthUrl(authUrl),
    method:
      appCredId || String(env.OS_AUTH_TYPE ?? '').includes('application')
        ? 'application_credential'
        : 'password',
    username: str(env.OS_USERNAME),
    userId: str(env.OS_USER_ID),
    password: str(env.OS_PASSWORD),
    userDomainName: str(env.OS_USER_DOMAIN_NAME),
    userDomainId: str(env.OS_USER_DOMAIN_ID),
    projectName: str(env.OS_PROJECT_NAME) ?? str(env.OS_TENANT_NAME),
    projectId: str(env.OS_PROJECT_ID) ?? str(env.OS_TENANT_ID),
    projectDomainName: str(env.OS_PROJECT_DOMAIN_NAME),
    projectDomainId: str(env.OS_PROJECT_DOMAIN_ID),
    applicationCredentialId: appCredId,
    applicationCredentialName: str(env.OS_APPLICATION_CREDENTIAL_NAME),
    applicationCredentialSecret: str(env.OS_APPLICATION_CREDENTIAL_SECRET),
  };
  const iface = str(env.OS_INTERFACE ?? env.OS_ENDPOINT_TYPE);
  return {
    id,
    auth,
    region: str(env.OS_REGION_NAME),
    interface: iface
      ? (iface.replace(/URL$/, '') as EndpointInterface)
      : undefined,
    caFile: str(env.OS_CACERT),
    insecure: /^(1|true|yes)$/i.test(String(env.OS_INSECURE ?? ''))
      ? true
      : undefined,
    source: 'environment (OS_*)',
  };
}

function validate(cloud: ResolvedCloud): ResolvedCloud {
  const a = cloud.auth;
  const problem = (m: string) =>
    new OpenStackConfigError(`cloud '${cloud.id}' (${cloud.source}): ${m}`);
  if (!['public', 'internal', 'admin'].includes(cloud.interface)) {
    throw problem(
      `interface '${cloud.interface}' is not public, internal or admin`,
    );
  }
  if (a.method === 'application_credential') {
    if (!a.applicationCredentialSecret)
      throw problem('application credential needs a secret');
    if (
      !a.applicationCredentialId &&
      !(a.applicationCredentialName && (a.userId || a.username))
    )
      throw problem(
        'application credential needs an id (or a name and a user)',
      );
    return cloud;
  }
  if (!a.password) throw problem('password authentication needs a password');
  if (!a.username && !a.userId) throw problem('needs a username or user id');
  if (a.username && !a.userId && !a.userDomainName && !a.userDomainId)
    throw problem('a user name needs a user domain (name or id)');
  if (
    a.projectName &&
    !a.projectId &&
    !a.projectDomainName &&
    !a.projectDomainId
  )
    throw problem('a project name needs a project domain (name or id)');
  return cloud;
}

/** app-config has one `userDomain` / `projectDomain` field: an id-looking value is sent as an id. */
function domainOf(
  kind: 'user' | 'project',
  value: string | undefined,
): Partial<ResolvedAuth> {
  if (!value) return {};
  if (looksLikeDomainId(value)) return { [`${kind}DomainId`]: value };
  return { [`${kind}DomainName`]: value };
}

/** Resolves one cloud of the config to concrete auth settings. */
export function resolveCloud(
  cloud: CloudConfig,
  options: ResolveOptions = {},
): ResolvedCloud {
  const o: Required<ResolveOptions> = {
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    homeDir: options.homeDir ?? homedir(),
  };
  let base: ReturnType<typeof fromEnvironment>;
  if (cloud.auth) {
    const a = cloud.auth;
    const appCred = cloud.applicationCredential;
    base = {
      id: cloud.id,
      auth: {
        authUrl: normaliseAuthUrl(a.url),
        method: appCred ? 'application_credential' : 'password',
        username: a.username,
        password: a.password,
        ...domainOf('user', a.userDomain),
        projectName: a.projectName,
        projectId: a.projectId,
        ...domainOf('project', a.projectDomain),
        applicationCredentialId: appCred?.id,
        applicationCredentialSecret: appCred?.secret,
      },
      source: 'app-config (inline)',
    };
  } else if (cloud.cloudsYaml) {
    base = loadCloudsYaml(
      cloud.id,
      cloud.cloudsYaml.cloud,
      cloud.cloudsYaml.file,
      o,
    );
  } else if (cloud.fromEnvironment) {
    base = o.env.OS_CLOUD
      ? loadCloudsYaml(cloud.id, o.env.OS_CLOUD, undefined, o)
      : fromEnvironment(cloud.id, o.env);
  } else {
    throw new OpenStackConfigError(
      `cloud '${cloud.id}' needs auth, cloudsYaml or fromEnvironment`,
    );
  }
  // app-config wins over the file or environment; its default interface 'public' yields to an
  // interface the clouds.yaml entry or OS_INTERFACE names explicitly
  const configInterface = cloud.interface as EndpointInterface | undefined;
  return validate({
    ...base,
    region: cloud.region ?? base.region,
    interface:
      configInterface && configInterface !== 'public'
        ? configInterface
        : base.interface ?? configInterface ?? 'public',
    caFile: cloud.caFile ?? base.caFile,
    insecure: cloud.insecure || base.insecure || false,
  });
}

/** Resolves several clouds at once; each keeps its id. */
export function resolveClouds(
  clouds: CloudConfig[],
  options?: ResolveOptions,
): ResolvedCloud[] {
  return clouds.map(c => resolveCloud(c, options));
}

/**
 * A stable key for the token cache: the credential and the scope. The secret enters only as a
 * hash, so a changed password never reuses a token obtained with the old one.
 */
export function credentialKey(auth: ResolvedAuth): string {
  const secret = createHash('sha256')
    .update(auth.password ?? auth.applicationCredentialSecret ?? '')
    .digest('hex')
    .slice(0, 16);
  return JSON.stringify([
    secret,
    auth.authUrl,
    auth.method,
    auth.applicationCredentialId ?? auth.applicationCredentialName ?? '',
    auth.userId ?? '',
    auth.username ?? '',
    auth.userDomainId ?? auth.userDomainName ?? '',
    auth.projectId ?? '',
    auth.projectName ?? '',
    auth.projectDomainId ?? auth.projectDomainName ?? '',
    auth.domainId ?? auth.domainName ?? '',
  ]);
}
