/**
 * Microversion negotiation (OSC-3): read each service's version document once per session and
 * send min(desired, server max). A service that does not advertise microversions gets no header,
 * which means its base version.
 */

export type MicroversionService = 'compute' | 'block-storage' | 'placement';

export const DESIRED_MICROVERSIONS: Record<MicroversionService, string> = {
  compute: '2.79',
  'block-storage': '3.60',
  placement: '1.29',
};

export interface NegotiatedVersion {
  service: MicroversionService;
  /** what the client sends; undefined when the service advertises no microversions */
  version?: string;
  serverMin?: string;
  serverMax?: string;
  desired: string;
}

export function parseVersion(v: string): [number, number] {
  const m = /^(\d+)\.(\d+)$/.exec(v.trim());
  if (!m) throw new RangeError(`not a microversion: '${v}'`);
  return [Number(m[1]), Number(m[2])];
}

export function compareVersions(a: string, b: string): number {
  const [a1, a2] = parseVersion(a);
  const [b1, b2] = parseVersion(b);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}

export function minVersion(a: string, b: string): string {
  return compareVersions(a, b) <= 0 ? a : b;
}

/** The header that carries a microversion for a service. */
export function microversionHeader(
  service: MicroversionService,
  version: string,
): Record<string, string> {
  switch (service) {
    case 'compute':
      return { 'X-OpenStack-Nova-API-Version': version };
    case 'block-storage':
      return { 'OpenStack-API-Version': `volume ${version}` };
    case 'placement':
    default:
      return { 'OpenStack-API-Version': `placement ${version}` };
  }
}

const MAJOR: Record<MicroversionService, string> = {
  compute: 'v2.1',
  'block-storage': 'v3',
  placement: 'v1',
};

/**
 * Finds the server's max and min microversion in a version document: `{versions: [...]}` at the
 * service root, or `{version: {...}}` at the versioned endpoint. Nova and Cinder say `version`,
 * Placement `max_version`.
 */
export function readVersionDocument(
  service: MicroversionService,
  doc: any,
): { min?: string; max?: string } {
  let entries: any[] = [];
  if (Array.isArray(doc?.versions)) entries = doc.versions;
  else if (Array.isArray(doc?.versions?.values)) entries = doc.versions.values;
  else if (doc?.version) entries = [doc.version];
  const major = MAJOR[service];
  const pick =
    entries.find(e => String(e?.id ?? '').startsWith(major)) ??
    entries.find(e => String(e?.status ?? '').toUpperCase() === 'CURRENT') ??
    entries[0];
  if (!pick) return {};
  const max = String(pick.version || pick.max_version || '');
  const min = String(pick.min_version || '');
  return {
    max: /^\d+\.\d+$/.test(max) ? max : undefined,
    min: /^\d+\.\d+$/.test(min) ? min : undefined,
  };
}

/**
 * The URL of the unversioned root of a service, where its version document lives:
 * `http://h:8774/v2.1` → `http://h:8774/`, `http://h:8776/v3/<project>` → `http://h:8776/`,
 * `http://h/compute/v2.1` → `http://h/compute/`, placement is its own root.
 */
export function versionDocumentUrl(
  service: MicroversionService,
  endpoint: string,
): string {
  const u = new URL(endpoint);
  let path = u.pathname.replace(/\/+$/, '');
  if (service === 'compute') path = path.replace(/\/v2(\.\d+)?(\/.*)?$/, '');
  if (service === 'block-storage')
    path = path.replace(/\/v[1-3](\.\d+)?(\/.*)?$/, '');
  u.pathname = `${path}/`;
  u.search = '';
  return u.toString();
}
