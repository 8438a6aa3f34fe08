import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { PF9_SCOPED_RESOURCE_TYPE } from '@internal/plugin-pf9-common';
import { z } from 'zod';

/** What a scoped resource exposes to the rules: its domain and project ids. */
export interface ScopedResource {
  domainId?: string;
  projectId?: string;
}

/** The query form of a rule: the areas turn it into `WHERE domain_id IN (...)` / `project_id IN (...)`. */
export type ScopeFilter = { domainIds: string[] } | { projectIds: string[] };

export const scopedResourceRef = createPermissionResourceRef<
  ScopedResource,
  ScopeFilter
>().with({ pluginId: 'pf9', resourceType: PF9_SCOPED_RESOURCE_TYPE });

export const inDomainRule = createPermissionRule({
  name: 'IN_DOMAIN',
  description: 'Allow resources that belong to one of the given domains',
  resourceRef: scopedResourceRef,
  paramsSchema: z.object({ domainIds: z.array(z.string()) }),
  apply: (resource, { domainIds }) =>
    resource.domainId !== undefined && domainIds.includes(resource.domainId),
  toQuery: ({ domainIds }) => ({ domainIds }),
});

export const inProjectRule = createPermissionRule({
  name: 'IN_PROJECT',
  description: 'Allow resources that belong to one of the given projects',
  resourceRef: scopedResourceRef,
  paramsSchema: z.object({ projectIds: z.array(z.string()) }),
  apply: (resource, { projectIds }) =>
    resource.projectId !== undefined && projectIds.includes(resource.projectId),
  toQuery: ({ projectIds }) => ({ projectIds }),
});

export const scopeRules = [inDomainRule, inProjectRule];

export const { conditions: scopeConditions, createConditionalDecision } =
  createConditionExports({
    resourceRef: scopedResourceRef,
    rules: { inDomain: inDomainRule, inProject: inProjectRule },
  });
