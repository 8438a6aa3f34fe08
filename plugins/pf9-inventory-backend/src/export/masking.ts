/**
 * Masking for customer-safe exports (SPEC EXP-7, EXP-8). Applied to cell values while a file is rendered,
 * never to stored data. One Masker per export: in `pseudonym` mode its salt is random per export, so the same
 * value maps to the same token everywhere in one file and to different tokens in different files.
 */
import { createHmac, randomBytes } from 'crypto';

export type MaskingMode = 'none' | 'partial' | 'pseudonym';

/** Identifier kinds whose ids are masked together with every reference to them (EXP-8). */
export const ID_PREFIXES = {
  project: 'prj',
  domain: 'dom',
  server: 'srv',
  volume: 'vol',
  snapshot: 'snap',
  backup: 'bak',
  image: 'img',
  port: 'port',
  network: 'net',
  subnet: 'sub',
  router: 'rtr',
  floating_ip: 'fip',
  security_group: 'sg',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/**
 * How a column is masked: an identifier kind, an infrastructure value (always masked), a tenant name or a
 * tenant IP address (masked only with maskNames / maskIps), or `omit` (Metadata and Fault columns, left out
 * of masked files).
 */
export type MaskClass =
  | { id: IdKind }
  | 'infra'
  | 'name'
  | 'ip'
  | 'omit'
  | undefined;

const STARS = '********';

/** EXP-8 partial: first 2 and last 2 characters around `********`; shorter than 6 → `********`. */
export function partialMask(value: string): string {
  return value.length < 6
    ? STARS
    : `${value.slice(0, 2)}${STARS}${value.slice(-2)}`;
}

/** EXP-8 pseudonym: `<prefix>-` + the first 12 hex characters of HMAC-SHA256(salt, value). */
export function pseudonym(salt: Buffer, prefix: string, value: string): string {
  return `${prefix}-${createHmac('sha256', salt)
    .update(value)
    .digest('hex')
    .slice(0, 12)}`;
}

export interface MaskOptions {
  mode: MaskingMode;
  maskNames?: boolean;
  maskIps?: boolean;
  /** tests only: a fixed salt */
  salt?: Buffer;
}

export class Masker {
  readonly mode: MaskingMode;
  private readonly salt: Buffer;

  constructor(private readonly options: MaskOptions) {
    this.mode = options.mode;
    this.salt = options.salt ?? randomBytes(32);
  }

  get masked(): boolean {
    return this.mode !== 'none';
  }

  /** Whether a column of this class stays in the file. */
  keeps(mask: MaskClass): boolean {
    return !(this.masked && mask === 'omit');
  }

  /** The prefix a class masks with, or undefined when values of that class stay in clear. */
  private prefixOf(mask: MaskClass): string | undefined {
    if (!this.masked || !mask || mask === 'omit') return undefined;
    if (mask === 'infra') return 'host';
    if (mask === 'name') return this.options.maskNames ? 'name' : undefined;
    if (mask === 'ip') return this.options.maskIps ? 'ip' : undefined;
    return ID_PREFIXES[mask.id];
  }

  private maskText(prefix: string, text: string): string {
    if (text === '') return text;
    return this.mode === 'partial'
      ? partialMask(text)
      : pseudonym(this.salt, prefix, text);
  }

  /** Masks one cell value: lists element by element, objects as their compact JSON. */
  apply(mask: MaskClass, value: unknown): unknown {
    const prefix = this.prefixOf(mask);
    if (prefix === undefined || value === null || value === undefined) {
      return value;
    }
    if (Array.isArray(value)) {
      return value.map(v =>
        v === null || v === undefined
          ? v
          : this.maskText(
              prefix,
              typeof v === 'object' ? JSON.stringify(v) : String(v),
            ),
      );
    }
    return this.maskText(
      prefix,
      typeof value === 'object' ? JSON.stringify(value) : String(value),
    );
  }
}
