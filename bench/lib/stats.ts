/** Small helpers for printing benchmark figures. */

export function median(values: number[]): number {
  const s = values.filter(v => !Number.isNaN(v)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** `n` timed calls of `fn` after up to 10 untimed ones (warm-up): p50, p95 and p99 in ms. */
export async function timeIt(n: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(10, n); i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return {
    p50: percentile(out, 50),
    p95: percentile(out, 95),
    p99: percentile(out, 99),
  };
}

export const ms = (v: number) => `${Math.round(v).toLocaleString('en-US')} ms`;
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** Samples this process's RSS every `everyMs` until stopped; returns the peak. */
export function sampleRss(everyMs = 20): () => number {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage.rss());
  };
}

/** A fixed-width text table. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  return rows
    .map(r =>
      r
        .map((cell, i) =>
          i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]),
        )
        .join('  '),
    )
    .join('\n');
}
