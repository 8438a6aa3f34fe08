export type Obj = Record<string, any>;

/** 2026-11-26T05:31:45Z (Nova server created/updated, Neutron, Glance) */
export function isoZ(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** 2026-11-26T05:31:44.000000 (Nova launched_at, Cinder created_at) */
export function isoMicro(ms: number): string {
  const d = new Date(ms).toISOString();
  return `${d.slice(0, 19)}.${d.slice(20, 23)}000`;
}

/** 2026-11-26T10:05:28.000000Z (Keystone expires_at / issued_at) */
export function isoKeystone(ms: number): string {
  return `${isoMicro(ms)}Z`;
}

export function ipToInt(ip: string): number {
  return (
    ip
      .split('.')
      .reduce((acc, part) => acc * 256 + (parseInt(part, 10) & 255), 0) >>> 0
  );
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function cidrRange(cidr: string): { first: number; last: number } {
  const [ip, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const first = ipToInt(ip);
  return { first, last: first + size - 1 };
}

export function truthy(value: unknown): boolean {
  return ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase());
}
