/**
 * The Health sheet (SPEC EXP-4): findings computed from the inventory at the export's run. Sources now:
 * servers and volumes in error, hypervisors down or disabled, unattached volumes, unused floating IPs and
 * security groups open to the internet. Non-compliant (volume, policy) pairs join when the compliance
 * area exists.
 */
import type { StateRecord } from '../inventory/query';
import type { InventoryType } from '../inventory/types';
import { MaskClass } from './masking';
import { Content, displayName, ownerOf } from './records';
import { Column, SheetContext, SheetRow, TYPE_ID_KIND } from './sheets';

type Severity = 'Error' | 'Warning' | 'Info';
const SEVERITY_ORDER: Record<Severity, number> = {
  Error: 0,
  Warning: 1,
  Info: 2,
};

interface Finding {
  severity: Severity;
  category: string;
  type: InventoryType;
  record: StateRecord;
  message: string;
}

const OPEN_PREFIXES = new Set(['0.0.0.0/0', '::/0']);

function describeRule(c: Content): string {
  const protocol = (c.protocol as string | null) ?? 'any protocol';
  const min = c.port_range_min as number | null;
  const max = c.port_range_max as number | null;
  let ports = '';
  if (min !== null && min !== undefined) {
    ports = min === max ? ` port ${min}` : ` ports ${min}-${max}`;
  } else if (protocol === 'tcp' || protocol === 'udp') {
    ports = ' all ports';
  }
  return `${protocol}${ports} from ${c.remote_ip_prefix}`;
}

export function healthFindings(
  ctx: SheetContext,
  options: { masked: boolean },
): Finding[] {
  const state = (t: InventoryType) => ctx.states.get(t) ?? [];
  const findings: Finding[] = [];

  for (const s of state('server')) {
    if (String(s.content.status).toUpperCase() !== 'ERROR') continue;
    const fault = s.content.fault as Content | undefined;
    const detail =
      !options.masked && fault?.message ? `: ${fault.message}` : '';
    findings.push({
      severity: 'Error',
      category: 'Server in error',
      type: 'server',
      record: s,
      message: `Server is in ERROR state${detail}`,
    });
  }
  for (const v of state('volume')) {
    const status = String(v.content.status ?? '');
    if (status.startsWith('error')) {
      findings.push({
        severity: 'Error',
        category: 'Volume in error',
        type: 'volume',
        record: v,
        message: `Volume status is ${status}`,
      });
    } else if (
      status === 'available' &&
      !(v.content.attachments as unknown[] | undefined)?.length
    ) {
      findings.push({
        severity: 'Info',
        category: 'Unattached volume',
        type: 'volume',
        record: v,
        message: `Volume of ${
          v.content.size_gb ?? '?'
        } GB is not attached to any server`,
      });
    }
  }
  for (const h of state('hypervisor')) {
    if (String(h.content.state ?? '').toLowerCase() === 'down') {
      findings.push({
        severity: 'Error',
        category: 'Hypervisor down',
        type: 'hypervisor',
        record: h,
        message: 'Hypervisor state is down',
      });
    } else if (String(h.content.status ?? '').toLowerCase() === 'disabled') {
      const reason = h.content.disabled_reason
        ? `: ${h.content.disabled_reason}`
        : '';
      findings.push({
        severity: 'Warning',
        category: 'Hypervisor disabled',
        type: 'hypervisor',
        record: h,
        message: `Hypervisor is disabled${reason}`,
      });
    }
  }
  for (const f of state('floating_ip')) {
    if (f.content.port_id) continue;
    findings.push({
      severity: 'Info',
      category: 'Unused floating IP',
      type: 'floating_ip',
      record: f,
      message: 'Floating IP is allocated but not associated with a port',
    });
  }
  const openRules = new Map<string, Content[]>();
  for (const r of state('security_group_rule')) {
    const c = r.content;
    if (c.direction !== 'ingress' || c.remote_group_id) continue;
    if (!OPEN_PREFIXES.has(String(c.remote_ip_prefix ?? ''))) continue;
    const group = String(c.security_group_id);
    openRules.set(group, [...(openRules.get(group) ?? []), c]);
  }
  for (const g of state('security_group')) {
    const rules = openRules.get(g.id);
    if (!rules) continue;
    const anyProtocol = rules.some(r => !r.protocol);
    findings.push({
      severity: anyProtocol ? 'Error' : 'Warning',
      category: 'Wide-open security group',
      type: 'security_group',
      record: g,
      message: `Ingress open to the internet: ${rules
        .map(describeRule)
        .sort()
        .join('; ')}`,
    });
  }
  return findings.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      cmp(a.category, b.category) ||
      cmp(a.type, b.type) ||
      cmp(a.record.id, b.record.id),
  );
}

function cmp(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

export function healthRows(
  ctx: SheetContext,
  options: { masked: boolean },
): SheetRow[] {
  return healthFindings(ctx, options).map(finding => ({
    id: finding.record.id,
    c: finding.record.content,
    owner: ownerOf(finding.type, finding.record),
    x: {
      severity: finding.severity,
      category: finding.category,
      type: finding.type,
      name: displayName(finding.type, finding.record.content),
      message: finding.message,
    },
  }));
}

const idMask = (row: SheetRow): MaskClass => {
  const kind = TYPE_ID_KIND[row.x?.type as InventoryType];
  return kind ? { id: kind } : 'infra';
};
const nameMask = (row: SheetRow): MaskClass => {
  if (row.x?.type === 'floating_ip') return 'ip';
  return TYPE_ID_KIND[row.x?.type as InventoryType] ? 'name' : 'infra';
};

export const HEALTH_COLUMNS: Column[] = [
  { header: 'Severity', kind: 'text', get: r => r.x?.severity },
  { header: 'Category', kind: 'text', get: r => r.x?.category },
  { header: 'Resource Type', kind: 'text', get: r => r.x?.type },
  { header: 'Resource ID', kind: 'text', get: r => r.id, mask: idMask },
  { header: 'Name', kind: 'text', get: r => r.x?.name, mask: nameMask },
  {
    header: 'Project',
    kind: 'text',
    get: r => r.owner.projectName,
    mask: 'name',
  },
  {
    header: 'Domain',
    kind: 'text',
    get: r => r.owner.domainName,
    mask: 'name',
  },
  { header: 'Message', kind: 'text', get: r => r.x?.message },
];
