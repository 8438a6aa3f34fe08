/** A small seeded PRNG (mulberry32). The scenario generator never uses Math.random. */
export class Prng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }

  /** Next 32-bit unsigned integer. */
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  private hex8(): string {
    return this.u32().toString(16).padStart(8, '0');
  }

  /** A version-4 style UUID (Nova, Cinder, Neutron, Glance ids). */
  uuid(): string {
    const a = this.hex8();
    const b = this.hex8();
    const c = this.hex8();
    const d = this.hex8();
    const variant = ((parseInt(c[0], 16) & 0x3) | 0x8).toString(16);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(
      1,
      4,
    )}-${c.slice(4)}${d}`;
  }

  /** A 32-hex Keystone id. */
  hexId(): string {
    return this.hex8() + this.hex8() + this.hex8() + this.hex8();
  }

  mac(): string {
    const v = this.u32();
    const bytes = [(v >>> 16) & 255, (v >>> 8) & 255, v & 255];
    return `fa:16:3e:${bytes
      .map(x => x.toString(16).padStart(2, '0'))
      .join(':')}`;
  }
}
