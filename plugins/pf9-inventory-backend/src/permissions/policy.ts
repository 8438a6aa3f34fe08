import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { isPf9Permission } from '@internal/plugin-pf9-common';
import { AccessConfig, readPf9Config } from '../config';
import { decidePf9Permission } from './decide';

/**
 * The default policy: the SPEC §10.2 matrix for `pf9.*` permissions; everything else in the portal is allowed,
 * as the template's allow-all policy did (see the package README).
 */
export class Pf9PermissionPolicy implements PermissionPolicy {
  constructor(private readonly access: AccessConfig) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!isPf9Permission(request.permission.name)) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    const refs = [user.info.userEntityRef, ...user.info.ownershipEntityRefs];
    return decidePf9Permission(this.access, request.permission, refs);
  }
}

/** Installs {@link Pf9PermissionPolicy} in the permission backend. */
export const pf9PermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'pf9-policy',
  register(env) {
    env.registerInit({
      deps: { config: coreServices.rootConfig, policy: policyExtensionPoint },
      async init({ config, policy }) {
        policy.setPolicy(new Pf9PermissionPolicy(readPf9Config(config).access));
      },
    });
  },
});
