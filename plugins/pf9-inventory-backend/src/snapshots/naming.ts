/** Snapshot names (SPEC SNAP-14). */

/** One name part: trimmed, whitespace to `_`, anything outside `[A-Za-z0-9_.-]` to `-`, at most 40 characters. */
export function namePart(value: string): string {
  return value
    .trim()
    .replace(/\s+/g, '_')
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 40);
}

/** `YYYYMMDD-HHMMSS` in UTC. */
export function nameStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/**
 * `auto-<project>-<policy>-<server>-<volume>-<YYYYMMDD-HHMMSS>`: the server part only for an attached
 * volume, the project part only when the project is known, the volume's id when it has no name.
 */
export function snapshotName(input: {
  projectName?: string | null;
  policy: string;
  serverName?: string | null;
  volumeName?: string | null;
  volumeId: string;
  at: Date;
}): string {
  const parts = ['auto'];
  if (input.projectName?.trim()) parts.push(namePart(input.projectName));
  parts.push(namePart(input.policy));
  if (input.serverName?.trim()) parts.push(namePart(input.serverName));
  parts.push(
    namePart(input.volumeName?.trim() ? input.volumeName : input.volumeId),
  );
  parts.push(nameStamp(input.at));
  return parts.join('-').slice(0, 255);
}
