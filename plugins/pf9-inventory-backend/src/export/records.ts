/** Small helpers over point-in-time records (`StateRecord`): display name and owner. */
import type { StateRecord } from '../inventory/query';
import type { InventoryType } from '../inventory/types';

export type Content = Record<string, unknown>;

const str = (v: unknown): string | null =>
  v === null || v === undefined || v === '' ? null : String(v);

/** The name a person would recognise a resource by. */
export function displayName(type: InventoryType, c: Content): string | null {
  switch (type) {
    case 'floating_ip':
      return str(c.floating_ip_address);
    case 'compute_service':
      return c.binary || c.host ? `${c.binary ?? ''}@${c.host ?? ''}` : null;
    case 'hypervisor':
      return str(c.hostname);
    case 'project_quota':
      return c.service || c.resource
        ? `${c.service ?? ''}/${c.resource ?? ''}`
        : null;
    case 'security_group_rule':
      return str(c.description);
    case 'role_assignment':
      return `${c.actor_name ?? c.actor_id} → ${c.role_name ?? c.role_id} on ${
        c.scope_name ?? c.scope_id
      }`;
    default:
      return str(c.name);
  }
}

export interface Owner {
  projectName: string | null;
  projectId: string | null;
  domainName: string | null;
  domainId: string | null;
}

/** The common tail's owner: a project's owner is itself, a domain's owner is itself. */
export function ownerOf(type: InventoryType, r: StateRecord): Owner {
  const c = r.content;
  if (type === 'domain') {
    return {
      projectName: null,
      projectId: null,
      domainName: str(c.name),
      domainId: r.id,
    };
  }
  if (type === 'project') {
    return {
      projectName: str(c.name),
      projectId: r.id,
      domainName: str(c.domain_name),
      domainId: r.domainId ?? str(c.domain_id),
    };
  }
  return {
    projectName: str(c.project_name),
    projectId: r.projectId,
    domainName: str(c.domain_name),
    domainId: r.domainId ?? str(c.domain_id),
  };
}
