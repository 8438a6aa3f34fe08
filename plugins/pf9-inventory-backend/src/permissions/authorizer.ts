import {
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  isResourcePermission,
  PermissionCriteria,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { ConditionTransformer } from '@backstage/plugin-permission-node';
import { Pf9Permission } from '@internal/plugin-pf9-common';
import { Request } from 'express';
import { AccessConfig } from '../config';
import { AuditLog } from '../store/audit';
import { decidePf9Permission } from './decide';
import { ScopeFilter } from './rules';

/** What a route learns from a granted permission. */
export interface Authorization {
  credentials: BackstageCredentials;
  /** The user entity ref or `service:<subject>`, for audit events (COM-9). */
  actor: string;
  /** Present when the caller is limited to some domains/projects; the area applies it as a filter. */
  scope?: PermissionCriteria<ScopeFilter>;
}

/**
 * The ref a service principal is mapped by. Static external-access tokens carry their configured subject
 * bare (`ci-bot`); SPEC ACL-2 names them `service:external:ci-bot`, as JWKS tokens already are.
 */
export function serviceRef(subject: string): string {
  return /^(plugin|external):/.test(subject)
    ? `service:${subject}`
    : `service:external:${subject}`;
}

export function actorOf(
  auth: AuthService,
  credentials: BackstageCredentials,
): string {
  if (auth.isPrincipal(credentials, 'user')) {
    return credentials.principal.userEntityRef;
  }
  if (auth.isPrincipal(credentials, 'service')) {
    return serviceRef(credentials.principal.subject);
  }
  return 'unknown';
}

/**
 * Checks a route's permission before the route reads input or calls OpenStack (ACL-6), audits denials, and
 * throws NotAllowedError (403) on DENY.
 */
export class RouteAuthorizer {
  constructor(
    private readonly deps: {
      auth: AuthService;
      httpAuth: HttpAuthService;
      permissions: PermissionsService;
      access: AccessConfig;
      audit: AuditLog;
      toScopeFilter: ConditionTransformer<ScopeFilter>;
    },
  ) {}

  /** The authenticated caller, without a permission check. */
  async identify(
    req: Request,
  ): Promise<{ credentials: BackstageCredentials; actor: string }> {
    const credentials = await this.deps.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    return { credentials, actor: actorOf(this.deps.auth, credentials) };
  }

  async authorize(
    req: Request,
    permission: Pf9Permission,
  ): Promise<Authorization> {
    const { audit } = this.deps;
    const { credentials, actor } = await this.identify(req);
    const decision = await this.decide(credentials, actor, permission);
    if (decision.result === AuthorizeResult.DENY) {
      const error = new NotAllowedError(
        `${actor} lacks permission ${permission.name}`,
      );
      await audit.record({
        eventId: 'access.denied',
        actor,
        request: req,
        outcome: 'fail',
        error,
        details: { permission: permission.name },
      });
      throw error;
    }
    return decision.result === AuthorizeResult.CONDITIONAL
      ? {
          credentials,
          actor,
          scope: this.deps.toScopeFilter(decision.conditions),
        }
      : { credentials, actor };
  }

  private async decide(
    credentials: BackstageCredentials,
    actor: string,
    permission: Pf9Permission,
  ): Promise<PolicyDecision> {
    const { auth, permissions, access } = this.deps;
    // Backstage's permission client allows every service principal without asking the policy, so a static
    // external-access token gets exactly the role its subject is mapped to, here (ACL-2).
    if (auth.isPrincipal(credentials, 'service')) {
      return decidePf9Permission(access, permission, [actor]);
    }
    if (isResourcePermission(permission)) {
      const [decision] = await permissions.authorizeConditional(
        [{ permission }],
        { credentials },
      );
      return decision;
    }
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    return decision;
  }
}
