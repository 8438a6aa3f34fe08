/** Display helpers shared by the inventory components. */

/** A value of a key field, derived field or diff cell as one line of text. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (Array.isArray(value) && value.every(v => typeof v !== 'object')) {
    return value.length ? value.join(', ') : '—';
  }
  return JSON.stringify(value);
}

/** An ISO timestamp in the browser's locale, or a dash. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A duration in milliseconds as `850 ms`, `12.3 s` or `4 min 05 s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return `${minutes} min ${String(rest).padStart(2, '0')} s`;
}

/** How long a run took, or has been running. */
export function runDuration(
  startedAt: string,
  finishedAt: string | null,
  now = Date.now(),
): number {
  const end = finishedAt ? new Date(finishedAt).getTime() : now;
  return end - new Date(startedAt).getTime();
}

/** `volume_snapshot` → `Volume snapshot`. */
export function typeLabel(type: string): string {
  const text = type.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The error message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
