/**
 * RST-8: the address plan, per original fixed IP. "Free" is asked of Neutron with
 * `ports?network_id=&fixed_ips=ip_address=`; a port with an empty device_id still holds the address.
 */
import type {
  RestoreIpStrategy,
  RestoreIssue,
  RestoreMode,
  RestoreNetworkPlanEntry,
} from '@internal/plugin-pf9-common';
import { BlockList, isIP } from 'node:net';
import { NeutronPort, OpenStackClient } from '../openstack';
import { getNetwork, getSubnet, portsHoldingIp } from './live';
import type { PlannedPort } from './types';

/** One NIC of the original: a live port, or an address from the deletion record (RST-5). */
export interface OriginalNic {
  portId: string | null;
  networkId: string;
  subnetId: string | null;
  ip: string | null;
  macAddress: string | null;
  securityGroupIds: string[];
}

export interface NetworkPlanInput {
  mode: RestoreMode;
  strategy: RestoreIpStrategy;
  manualIps: Record<string, string>;
  /** the original server exists (running or not); false when restoring from history */
  originalExists: boolean;
  originalServerId: string;
  nics: OriginalNic[];
  /** `restore-<jobId8>` */
  namePrefix: string;
}

export interface NetworkPlan {
  entries: RestoreNetworkPlanEntry[];
  ports: PlannedPort[];
  blockers: RestoreIssue[];
  warnings: RestoreIssue[];
}

export function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const family = isIP(base);
  if (!family || isIP(ip) !== family) return false;
  const list = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  list.addSubnet(base, Number(bits), type);
  return list.check(ip, type);
}

export function nicsOfPorts(ports: NeutronPort[]): OriginalNic[] {
  return ports.map(p => ({
    portId: p.id,
    networkId: p.network_id,
    subnetId: p.fixed_ips?.[0]?.subnet_id ?? null,
    ip: p.fixed_ips?.[0]?.ip_address ?? null,
    macAddress: p.mac_address ?? null,
    securityGroupIds: Array.isArray(p.security_groups)
      ? (p.security_groups as string[])
      : [],
  }));
}

interface Decision {
  action: RestoreNetworkPlanEntry['action'];
  requestedIp: string | null;
  reusePortId: string | null;
  fallbackToNew: boolean;
  note: string | null;
  blocker?: RestoreIssue;
  warning?: RestoreIssue;
}

const NEW: Decision = {
  action: 'new',
  requestedIp: null,
  reusePortId: null,
  fallbackToNew: true,
  note: null,
};

export class NetworkPlanner {
  constructor(private readonly os: OpenStackClient) {}

  async plan(input: NetworkPlanInput): Promise<NetworkPlan> {
    const out: NetworkPlan = {
      entries: [],
      ports: [],
      blockers: [],
      warnings: [],
    };
    if (!input.nics.length) {
      out.warnings.push({
        code: 'NO_PORTS',
        message: 'the server has no ports: the restored server gets no NICs',
      });
    }
    const known = new Set(input.nics.map(n => n.networkId));
    for (const networkId of Object.keys(input.manualIps)) {
      if (input.strategy === 'MANUAL_IP' && !known.has(networkId))
        out.blockers.push({
          code: 'MANUAL_IP_UNKNOWN_NETWORK',
          message: `manualIps names network ${networkId}, which the server has no port on`,
        });
    }
    for (const [index, nic] of input.nics.entries()) {
      const network = await getNetwork(this.os, nic.networkId);
      if (!network) {
        out.blockers.push({
          code: 'NETWORK_NOT_FOUND',
          message: `network ${nic.networkId} does not exist`,
        });
      }
      const subnet = nic.subnetId
        ? await getSubnet(this.os, nic.subnetId)
        : null;
      if (nic.subnetId && !subnet) {
        out.blockers.push({
          code: 'SUBNET_NOT_FOUND',
          message: `subnet ${nic.subnetId} does not exist`,
        });
      }
      const decision = await this.decide(input, nic, subnet?.cidr ?? null);
      if (decision.blocker) out.blockers.push(decision.blocker);
      if (decision.warning) out.warnings.push(decision.warning);
      const recreated = decision.action !== 'reuse_port';
      out.entries.push({
        networkId: nic.networkId,
        networkName: network?.name ?? null,
        subnetId: nic.subnetId,
        originalIp: nic.ip,
        requestedIp: decision.requestedIp,
        action: decision.action,
        reusePortId: decision.reusePortId,
        securityGroups: nic.securityGroupIds,
        note: decision.note,
      });
      out.ports.push({
        originalPortId: nic.portId,
        networkId: nic.networkId,
        subnetId: nic.subnetId,
        originalIp: nic.ip,
        requestedIp: decision.requestedIp,
        reusePortId: decision.reusePortId,
        securityGroupIds: nic.securityGroupIds,
        macAddress:
          input.mode === 'replace' && recreated ? nic.macAddress : null,
        fallbackToNew: decision.fallbackToNew,
        newName: `${input.namePrefix}-${index + 1}`,
      });
    }
    return out;
  }

  /** Free means no port holds it, except (in replace) the original's own ports, which go with it. */
  private async isFree(
    input: NetworkPlanInput,
    networkId: string,
    ip: string,
  ): Promise<boolean> {
    const holders = await portsHoldingIp(this.os, networkId, ip);
    return holders.every(
      p =>
        input.mode === 'replace' &&
        input.originalExists &&
        p.device_id === input.originalServerId,
    );
  }

  private async decide(
    input: NetworkPlanInput,
    nic: OriginalNic,
    cidr: string | null,
  ): Promise<Decision> {
    const { strategy, mode } = input;
    if (strategy === 'NEW_IPS') return NEW;
    if (strategy === 'MANUAL_IP') return this.manual(input, nic, cidr);
    const orFail = strategy === 'SAME_IPS_OR_FAIL';
    if (!nic.ip) return NEW;
    if (mode === 'replace') {
      return {
        action: nic.portId ? 'reuse_port' : 'request_ip',
        requestedIp: nic.ip,
        reusePortId: nic.portId,
        fallbackToNew: !orFail,
        note: nic.portId
          ? 'the port is re-used if it survives the deletion; otherwise the original IP is requested'
          : 'the original IP is requested',
      };
    }
    if (input.originalExists) {
      return orFail
        ? {
            ...NEW,
            blocker: {
              code: 'SAME_IP_IMPOSSIBLE',
              message: `side_by_side: the original server holds ${nic.ip}`,
            },
          }
        : {
            ...NEW,
            note: 'the original holds its address',
            warning: {
              code: 'IP_HELD_BY_ORIGINAL',
              message: `${nic.ip} stays with the original server; the restored server gets a new address`,
            },
          };
    }
    if (await this.isFree(input, nic.networkId, nic.ip)) {
      return {
        action: 'request_ip',
        requestedIp: nic.ip,
        reusePortId: null,
        fallbackToNew: !orFail,
        note: 'the original IP is free',
      };
    }
    const issue = {
      code: orFail ? 'IP_IN_USE' : 'IP_TAKEN_NEW_ASSIGNED',
      message: `${nic.ip} on network ${nic.networkId} is in use`,
    };
    return orFail
      ? { ...NEW, blocker: issue }
      : { ...NEW, note: 'the original IP is in use', warning: issue };
  }

  private async manual(
    input: NetworkPlanInput,
    nic: OriginalNic,
    cidr: string | null,
  ): Promise<Decision> {
    const ip = input.manualIps[nic.networkId];
    if (!ip) return NEW;
    const requested: Decision = {
      action: 'request_ip',
      requestedIp: ip,
      reusePortId: null,
      fallbackToNew: false,
      note: 'manual address',
    };
    if (!cidr || !ipInCidr(ip, cidr))
      return {
        ...requested,
        blocker: {
          code: 'IP_OUTSIDE_SUBNET',
          message: `${ip} is not inside subnet ${nic.subnetId ?? '?'} (${
            cidr ?? 'unknown'
          })`,
        },
      };
    if (!(await this.isFree(input, nic.networkId, ip)))
      return {
        ...requested,
        blocker: {
          code: 'IP_IN_USE',
          message: `${ip} on network ${nic.networkId} is in use`,
        },
      };
    return requested;
  }
}
