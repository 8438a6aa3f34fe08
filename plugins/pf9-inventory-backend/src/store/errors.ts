/** Database errors the areas tell apart, the same on PostgreSQL and SQLite. */

/** A unique-index violation on PostgreSQL (23505) or SQLite. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    err?.code === '23505' ||
    /UNIQUE constraint failed/i.test(String(err?.message ?? ''))
  );
}
