/**
 * RST-12 step 14: the restored server's ports, named `restore-<jobId8>-<n>`, with the planned address
 * retried on a conflict and the RST-8 fallback; ports that survived the original are re-used.
 */
import {
  NeutronPort,
  OpenStackClient,
  OpenStackConflictError,
} from '../../openstack';
import { createdId, RestoreRun, RestoreStepError } from '../context';
import { LedgerRow } from '../jobStore';
import type { PlannedPort } from '../types';
import { sleep } from '../waits';
import { StepHandler } from './types';

function portBody(run: RestoreRun, p: PlannedPort, withAddress: boolean) {
  const subnet = p.subnetId ? { subnet_id: p.subnetId } : {};
  let fixedIps: Array<{ subnet_id?: string; ip_address?: string }> | undefined;
  if (withAddress && p.requestedIp) {
    fixedIps = [{ ...subnet, ip_address: p.requestedIp }];
  } else if (p.subnetId) {
    fixedIps = [subnet];
  }
  return {
    network_id: p.networkId,
    name: p.newName,
    security_groups: p.securityGroupIds,
    ...(fixedIps ? { fixed_ips: fixedIps } : {}),
    ...(withAddress && p.macAddress && run.details.mode === 'replace'
      ? { mac_address: p.macAddress }
      : {}),
  };
}

/** Ports of the plan that re-use a port which survived the original's deletion (RST-12 step 10). */
function reusedPort(ledger: LedgerRow[], p: PlannedPort): string | undefined {
  return ledger.find(
    e =>
      e.kind === 'port' &&
      !e.createdByJob &&
      e.state === 'kept' &&
      (e.resourceId === p.reusePortId || e.resourceId === p.originalPortId),
  )?.resourceId;
}

async function findPort(
  os: OpenStackClient,
  name: string,
): Promise<NeutronPort | undefined> {
  const listing = await os.network.listPorts({ query: { name } });
  return listing.items.find(p => p.name === name);
}

/** A requested address is retried on a conflict (RST-12 step 14), then falls back or fails (RST-8). */
async function createPortWithAddress(
  run: RestoreRun,
  os: OpenStackClient,
  p: PlannedPort,
  fallbacks: Record<string, string>,
): Promise<NeutronPort> {
  const { ipConflictRetries, ipConflictDelayMs } = run.settings.timings;
  const wantsAddress = Boolean(p.requestedIp || p.macAddress);
  for (
    let attempt = 0;
    wantsAddress && attempt <= ipConflictRetries;
    attempt++
  ) {
    try {
      return await os.network.createPort(portBody(run, p, true));
    } catch (e) {
      if (!(e instanceof OpenStackConflictError)) throw e;
      if (attempt < ipConflictRetries) {
        await run.checkpoint();
        await sleep(ipConflictDelayMs);
      }
    }
  }
  if (wantsAddress && !p.fallbackToNew) {
    throw new RestoreStepError(
      `address ${p.requestedIp} on network ${p.networkId} cannot be obtained (SAME_IPS_OR_FAIL)`,
    );
  }
  if (wantsAddress) {
    fallbacks[
      p.newName
    ] = `${p.requestedIp} was taken; Neutron assigned another address`;
    await run.warn({
      code: 'IP_FALLBACK',
      message: `address ${p.requestedIp} on network ${p.networkId} was taken; the port got a new address`,
    });
  }
  return os.network.createPort(portBody(run, p, false));
}

export const createPorts: StepHandler = {
  inDryRun: 'simulate',
  simulate: run =>
    run.details.ports
      .filter(p => !p.reusePortId)
      .map(p => ({
        method: 'POST',
        service: 'network',
        path: '/v2.0/ports',
        body: { port: portBody(run, p, true) },
      })),
  async run(run) {
    const os = await run.scoped();
    const ledger = await run.ledger();
    const fallbacks: Record<string, string> = {};
    for (const p of run.details.ports) {
      await run.checkpoint();
      if (reusedPort(ledger, p)) continue;
      const port = p.adoptedId
        ? { id: p.adoptedId }
        : (await findPort(os, p.newName)) ??
          (await createPortWithAddress(run, os, p, fallbacks));
      await run.record({
        kind: 'port',
        resourceId: port.id,
        name: p.newName,
        createdByJob: true,
        step: 'CREATE_PORTS',
      });
    }
    run.detail.fallbacks = fallbacks;
  },
};

/** The ports of the new server, in plan order. */
export function serverPortIds(run: RestoreRun, ledger: LedgerRow[]): string[] {
  return run.details.ports.map(p => {
    const id = reusedPort(ledger, p) ?? createdId(ledger, 'port', p.newName);
    if (!id) throw new RestoreStepError(`port ${p.newName} was not created`);
    return id;
  });
}
