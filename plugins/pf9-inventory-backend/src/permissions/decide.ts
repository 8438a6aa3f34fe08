import {
  AuthorizeResult,
  isResourcePermission,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  isCloudWideRole,
  PF9_SCOPED_RESOURCE_TYPE,
  roleHasPermission,
} from '@internal/plugin-pf9-common';
import { AccessConfig } from '../config';
import { resolveRole, resolveScope } from './roleResolver';
import { createConditionalDecision, scopeConditions } from './rules';

const DENY: PolicyDecision = { result: AuthorizeResult.DENY };
const ALLOW: PolicyDecision = { result: AuthorizeResult.ALLOW };

/**
 * The default decision for a pf9 permission: the role from the mapping, the matrix, then the scope of the
 * principal's groups as a conditional decision on scoped resources (SPEC ACL-2, ACL-3).
 */
export function decidePf9Permission(
  access: AccessConfig,
  permission: Permission,
  refs: string[],
): PolicyDecision {
  const role = resolveRole(access, { refs });
  if (!role || !roleHasPermission(role, permission.name)) {
    return DENY;
  }
  if (
    isCloudWideRole(role) ||
    !isResourcePermission(permission, PF9_SCOPED_RESOURCE_TYPE)
  ) {
    return ALLOW;
  }
  const scope = resolveScope(access, { refs });
  if (!scope) {
    return ALLOW;
  }
  const criteria = [
    ...(scope.domainIds.length
      ? [scopeConditions.inDomain({ domainIds: scope.domainIds })]
      : []),
    ...(scope.projectIds.length
      ? [scopeConditions.inProject({ projectIds: scope.projectIds })]
      : []),
  ];
  const [first, ...rest] = criteria;
  // A scope entry that names nothing grants nothing, rather than everything.
  return first
    ? createConditionalDecision(permission, { anyOf: [first, ...rest] })
    : DENY;
}
