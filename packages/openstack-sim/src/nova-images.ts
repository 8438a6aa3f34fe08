import { createHash, randomUUID } from 'crypto';
import { makeSnapshot } from './builders';
import { Ctx, Reply, fail, mvAtLeast } from './http';
import { Obj, isoMicro, isoZ } from './util';

/** A Glance image as Nova's `createImage` registers it (private, `image_type=snapshot`). */
function snapshotImage(ctx: Ctx, server: Obj, name: string, extra: Obj): Obj {
  const id = randomUUID();
  const now = isoZ(Date.now());
  const base = server.image ? ctx.state.images.get(server.image.id) : undefined;
  const inherited: Obj = {};
  for (const k of ['os_distro', 'os_version', 'hw_architecture'])
    if (base?.[k] !== undefined) inherited[k] = base[k];
  return {
    ...inherited,
    ...extra,
    image_type: 'snapshot',
    instance_uuid: server.id,
    user_id: ctx.token!.userId,
    owner_project_name:
      ctx.state.projects.get(server.tenant_id)?.name ?? server.tenant_id,
    image_location: 'snapshot',
    ...(base ? { base_image_ref: base.id } : {}),
    name,
    disk_format: base?.disk_format ?? 'raw',
    container_format: base?.container_format ?? 'bare',
    visibility: 'private',
    size: null,
    virtual_size: null,
    status: 'queued',
    checksum: null,
    protected: false,
    min_ram: server.flavor.ram,
    min_disk: server.flavor.disk,
    owner: server.tenant_id,
    os_hidden: false,
    os_hash_algo: null,
    os_hash_value: null,
    id,
    created_at: now,
    updated_at: now,
    tags: [],
    self: `/v2/images/${id}`,
    file: `/v2/images/${id}/file`,
    schema: '/v2/schemas/image',
  };
}

/** Cinder snapshots of every attached volume and the mapping Nova stores in the image. */
function snapshotVolumes(
  ctx: Ctx,
  server: Obj,
  name: string,
  failure?: string,
): Obj[] {
  const st = ctx.state;
  const mapping: Obj[] = [];
  for (const a of st.serverVolumes.get(server.id) ?? []) {
    const vol = st.volumes.get(a.volumeId);
    if (!vol) continue;
    const snap = makeSnapshot(st, {
      id: randomUUID(),
      volume: vol,
      projectId: ctx.token!.projectId,
      userId: ctx.token!.userId,
      name: `snapshot for ${name}`,
      description: '',
      status: 'creating',
      createdMs: Date.now(),
    });
    snap.updated_at = null;
    st.snapshots.add(snap);
    ctx.sim.schedule(ctx.sim.options.transitionMs, () => {
      if (snap.status !== 'creating') return;
      snap.status = failure ? 'error' : 'available';
      snap['os-extended-snapshot-attributes:progress'] = failure
        ? '0%'
        : '100%';
      snap.updated_at = isoMicro(Date.now());
    });
    const root = a.device === server['OS-EXT-SRV-ATTR:root_device_name'];
    mapping.push({
      source_type: 'snapshot',
      destination_type: 'volume',
      snapshot_id: snap.id,
      volume_id: null,
      image_id: null,
      volume_size: vol.size,
      volume_type: vol.volume_type,
      boot_index: root ? 0 : null,
      device_name: a.device,
      delete_on_termination: a.delete_on_termination,
      disk_bus: 'virtio',
      device_type: 'disk',
      guest_format: null,
      no_device: null,
      tag: a.tag ?? null,
    });
  }
  return mapping;
}

/**
 * `createImage`: an image-booted server gets a Glance snapshot image (queued, then active); a
 * volume-backed one gets Cinder snapshots of its volumes and an image (size 0) whose
 * `block_device_mapping` property lists them. A `buildError` fault makes the snapshot fail: Nova
 * then deletes the image (and the Cinder snapshots end in error).
 */
export function createServerImage(ctx: Ctx, server: Obj): Reply {
  const req = ctx.body?.createImage ?? {};
  if (typeof req.name !== 'string' || !req.name)
    fail(
      'compute',
      400,
      "Invalid input for field/attribute createImage. Value: {}. 'name' is a required property",
    );
  if (
    !['ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED'].includes(server.status) ||
    server['OS-EXT-STS:task_state']
  )
    fail(
      'compute',
      409,
      `Cannot 'createImage' instance ${server.id} while it is in vm_state ${server['OS-EXT-STS:vm_state']}`,
    );
  const st = ctx.state;
  const failure = ctx.buildError;
  const volumeBacked = !server.image;
  const metadata: Obj = {};
  for (const [k, v] of Object.entries(req.metadata ?? {}))
    metadata[k] = String(v);
  if (volumeBacked) {
    const mapping = snapshotVolumes(ctx, server, req.name, failure);
    Object.assign(metadata, {
      bdm_v2: 'True',
      block_device_mapping: JSON.stringify(mapping),
      root_device_name: server['OS-EXT-SRV-ATTR:root_device_name'],
    });
  }
  const img = snapshotImage(ctx, server, req.name, metadata);
  st.images.add(img);
  server['OS-EXT-STS:task_state'] = 'image_snapshot';
  ctx.sim.schedule(ctx.sim.options.transitionMs, () => {
    server['OS-EXT-STS:task_state'] = null;
    if (failure) {
      st.images.remove(img.id);
      return;
    }
    const size = volumeBacked ? 0 : server.flavor.disk * 1073741824;
    const digest = createHash('sha512').update(img.id).digest('hex');
    Object.assign(img, {
      status: 'active',
      size,
      virtual_size: volumeBacked ? null : size,
      checksum: digest.slice(0, 32),
      os_hash_algo: 'sha512',
      os_hash_value: digest,
      stores: 'file',
      updated_at: isoZ(Date.now()),
    });
  });
  const location = `${ctx.sim.url}/image/v2/images/${img.id}`;
  if (mvAtLeast(ctx, 2, 45)) return { status: 202, body: { image_id: img.id } };
  return { status: 202, headers: { location } };
}
