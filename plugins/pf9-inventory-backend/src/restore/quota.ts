/**
 * RST-10: `need ≤ limit − in_use − reserved`, where −1 is unlimited and 0 allows none. Nova, Cinder
 * (with per-type keys) and Neutron report their own usage; every resource with a need is checked.
 */
import type { RestoreQuotaEntry } from '@internal/plugin-pf9-common';
import {
  CinderVolume,
  NovaFlavor,
  OpenStackClient,
  quotaHeadroom,
} from '../openstack';
import type { RestorePointDetail, ServerSource } from './points';
import type { PlannedVolume, RestorePlanDetails } from './types';

export interface QuotaNeeds {
  compute: Record<string, number>;
  blockStorage: Record<string, number>;
  network: Record<string, number>;
}

interface Usage {
  limit: number;
  inUse: number;
  reserved: number;
}

export function quotaOk(need: number, usage: Usage): boolean {
  return need <= 0 || need <= quotaHeadroom(usage);
}

function entry(
  resource: string,
  need: number,
  usage: Usage,
): RestoreQuotaEntry {
  return { resource, need, ...usage, ok: quotaOk(need, usage) };
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));

/** Needs with a value above 0 only; a resource the service does not report is unlimited. */
export async function checkQuota(
  os: OpenStackClient,
  projectId: string,
  needs: QuotaNeeds,
): Promise<RestoreQuotaEntry[]> {
  const wanted = (n: Record<string, number>) =>
    Object.entries(n).filter(([, v]) => v > 0);
  const out: RestoreQuotaEntry[] = [];
  if (wanted(needs.compute).length) {
    const nova = await os.compute.getQuotaDetail(projectId);
    for (const [k, need] of wanted(needs.compute)) {
      const v = nova[k] as any;
      out.push(
        entry(`compute.${k}`, need, {
          limit: v ? num(v.limit) : -1,
          inUse: v ? num(v.in_use) : 0,
          reserved: v ? num(v.reserved) : 0,
        }),
      );
    }
  }
  if (wanted(needs.blockStorage).length) {
    const cinder = await os.blockStorage.getQuotaUsage(projectId);
    for (const [k, need] of wanted(needs.blockStorage)) {
      const v = cinder[k] as any;
      out.push(
        entry(`volume.${k}`, need, {
          limit: v ? num(v.limit) : -1,
          inUse: v ? num(v.in_use) : 0,
          reserved: v ? num(v.reserved) : 0,
        }),
      );
    }
  }
  if (wanted(needs.network).length) {
    const neutron = await os.network.getQuotaDetails(projectId);
    for (const [k, need] of wanted(needs.network)) {
      const v = neutron[k];
      out.push(
        entry(`network.${k}`, need, {
          limit: v ? num(v.limit) : -1,
          inUse: v ? num(v.used) : 0,
          reserved: v ? num(v.reserved) : 0,
        }),
      );
    }
  }
  return out;
}

/**
 * Adds one new volume (`volumes`) or safety snapshot (`snapshots`, RST-12 step 5) and its gigabytes,
 * with Cinder's per-type keys.
 */
export function addCinderNeed(
  needs: Record<string, number>,
  resource: 'volumes' | 'snapshots',
  sizeGb: number,
  volumeType: string | null,
): void {
  const add = (k: string, v: number) => {
    needs[k] = (needs[k] ?? 0) + v;
  };
  add(resource, 1);
  add('gigabytes', sizeGb);
  if (volumeType) {
    add(`${resource}_${volumeType}`, 1);
    add(`gigabytes_${volumeType}`, sizeGb);
  }
}

/** RST-10 needs: side_by_side a new instance; replace the safety snapshots instead. */
export function quotaNeedsOf(
  details: RestorePlanDetails,
  source: ServerSource,
  flavor: NovaFlavor | null,
  point: RestorePointDetail,
): QuotaNeeds {
  const compute: Record<string, number> = {};
  const blockStorage: Record<string, number> = {};
  const created = (v: PlannedVolume | null): v is PlannedVolume =>
    !!v && !!v.sourceSnapshotId && !v.adoptedId;
  for (const v of [details.bootVolume, ...details.dataVolumes].filter(created))
    addCinderNeed(blockStorage, 'volumes', v.sizeGb, v.volumeType);
  if (point.kind === 'server_image_volume_backed' && details.bootVolume)
    addCinderNeed(
      blockStorage,
      'volumes',
      details.bootVolume.sizeGb,
      details.bootVolume.volumeType,
    );
  const replacing = details.mode === 'replace' && details.originalExists;
  if (replacing) {
    // RST-12 step 5: one safety snapshot per attached volume
    for (const v of source.volumes as CinderVolume[])
      addCinderNeed(blockStorage, 'snapshots', v.size, v.volume_type ?? null);
  } else {
    compute.instances = 1;
    compute.cores = flavor?.vcpus ?? 0;
    compute.ram = flavor?.ram ?? 0;
  }
  const newPorts = details.ports.filter(
    p => !p.reusePortId && !p.adoptedId,
  ).length;
  return { compute, blockStorage, network: { port: newPorts } };
}
