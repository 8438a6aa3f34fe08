import { PF9_ROLES, Pf9Role, roleRank } from '@internal/plugin-pf9-common';
import { AccessConfig } from '../config';

/** A principal as the role mapping sees it: the refs it can be matched by. */
export interface PrincipalRefs {
  /** `user:<ns>/<name>` plus ownership refs for users; `service:<subject>` for service principals. */
  refs: string[];
}

/** The highest role whose configured refs intersect the principal's refs, or null (ACL-2). */
export function resolveRole(
  access: AccessConfig,
  principal: PrincipalRefs,
): Pf9Role | null {
  const refs = new Set(
    principal.refs.map(ref => ref.toLocaleLowerCase('en-US')),
  );
  let best: Pf9Role | null = null;
  for (const role of PF9_ROLES) {
    const mapped = access.roles[role] ?? [];
    const matches = mapped.some(ref =>
      refs.has(ref.toLocaleLowerCase('en-US')),
    );
    if (matches && (best === null || roleRank(role) > roleRank(best))) {
      best = role;
    }
  }
  return best;
}

/** The union of the scope entries of the principal's groups, or null when none applies (ACL-3). */
export function resolveScope(
  access: AccessConfig,
  principal: PrincipalRefs,
): { domainIds: string[]; projectIds: string[] } | null {
  const refs = new Set(
    principal.refs.map(ref => ref.toLocaleLowerCase('en-US')),
  );
  const entries = access.scopes.filter(entry =>
    refs.has(entry.group.toLocaleLowerCase('en-US')),
  );
  if (entries.length === 0) {
    return null;
  }
  return {
    domainIds: [...new Set(entries.flatMap(entry => entry.domainIds))],
    projectIds: [...new Set(entries.flatMap(entry => entry.projectIds))],
  };
}
