/**
 * Version documents (OSC-3) shared by every client of the process for a few minutes, keyed by their
 * URL. A snapshot cycle opens a project-scoped client per project, all on the same endpoint root:
 * without sharing, each asked the same document again before its first call. A cloud upgraded meanwhile
 * is seen once the entry expires; a failed read is never kept.
 */
import { MicroversionService, readVersionDocument } from './microversions';

const TTL_MS = 5 * 60_000;

type VersionRange = ReturnType<typeof readVersionDocument>;

const documents = new Map<
  string,
  { at: number; range: Promise<VersionRange> }
>();

export function sharedVersionRange(
  service: MicroversionService,
  url: string,
  read: () => Promise<unknown>,
): Promise<VersionRange> {
  const now = Date.now();
  const known = documents.get(url);
  if (known && now - known.at < TTL_MS) return known.range;
  const range = read().then(doc => readVersionDocument(service, doc));
  documents.set(url, { at: now, range });
  range.catch(() => {
    if (documents.get(url)?.range === range) documents.delete(url);
  });
  return range;
}
