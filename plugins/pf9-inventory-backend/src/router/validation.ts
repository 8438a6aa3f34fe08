import { InputError } from '@backstage/errors';
import { z } from 'zod';

/**
 * Parses route input with a zod schema; on failure throws InputError (400) naming every field that was
 * wrong, so nothing runs on bad input (SPEC COM-6).
 */
export function parseInput<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
  where: string,
): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map(i => `${i.path.length ? i.path.join('.') : where}: ${i.message}`)
      .join('; ');
    throw new InputError(`Invalid ${where}: ${problems}`);
  }
  return parsed.data;
}

/** COM-7 paging parameters: page from 1, pageSize default 50, at most 1000. */
export const pagingParams = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(1000).default(50),
};

/** The cloud a request refers to: the given one, or the only configured one. */
export function cloudResolver(cloudIds: string[]) {
  return (cloudId: string | undefined, where: string): string => {
    if (cloudId) {
      if (!cloudIds.includes(cloudId))
        throw new InputError(
          `Invalid ${where}: cloudId: unknown cloud '${cloudId}'; configured: ${cloudIds.join(
            ', ',
          )}`,
        );
      return cloudId;
    }
    if (cloudIds.length === 1) return cloudIds[0];
    throw new InputError(
      `Invalid ${where}: cloudId: required when several clouds are configured (${cloudIds.join(
        ', ',
      )})`,
    );
  };
}
