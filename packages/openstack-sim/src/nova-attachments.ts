import { randomUUID } from 'crypto';
import { attachVolume } from './builders';
import { Ctx, RouteTable, fail, isAdmin, mvAtLeast, ok } from './http';
import { Obj, isoZ } from './util';

const P = '/compute/v2.1/servers/([^/]+)/os-volume_attachments';

function getServer(ctx: Ctx): Obj {
  const id = ctx.params[0];
  const s = ctx.state.servers.get(id);
  if (!s || (!isAdmin(ctx) && s.tenant_id !== ctx.token?.projectId))
    fail('compute', 404, `Instance ${id} could not be found.`);
  return s;
}

function attachmentView(ctx: Ctx, server: Obj, a: Obj): Obj {
  const v: Obj = {
    id: a.volumeId,
    volumeId: a.volumeId,
    serverId: server.id,
    device: a.device,
  };
  if (mvAtLeast(ctx, 2, 70)) v.tag = a.tag;
  if (mvAtLeast(ctx, 2, 79)) v.delete_on_termination = a.delete_on_termination;
  return v;
}

function findAttachment(ctx: Ctx, server: Obj, volumeId: string): Obj {
  const a = (ctx.state.serverVolumes.get(server.id) ?? []).find(
    x => x.volumeId === volumeId,
  );
  if (!a)
    fail('compute', 404, `No volume Block Device Mapping with id ${volumeId}.`);
  return a;
}

/** Nova refuses volume actions while a server builds or is in a task. */
function checkServerState(server: Obj, action: string) {
  if (
    !['ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED'].includes(server.status) ||
    server['OS-EXT-STS:task_state']
  )
    fail(
      'compute',
      409,
      `Cannot '${action}' instance ${server.id} while it is in vm_state ${server['OS-EXT-STS:vm_state']}`,
    );
}

/** The next free /dev/vdX of a server (an image-booted server's root disk is /dev/vda). */
function nextDevice(ctx: Ctx, server: Obj): string {
  const used = new Set(
    (ctx.state.serverVolumes.get(server.id) ?? []).map(a => a.device),
  );
  if (server.image) used.add('/dev/vda');
  for (let i = 0; i < 26; i++) {
    const dev = `/dev/vd${String.fromCharCode(97 + i)}`;
    if (!used.has(dev)) return dev;
  }
  return fail('compute', 400, 'No free disk device names for prefix vd');
}

/** Removes a volume from a server's BDMs (`volumes_attached` and the attachment listing). */
export function forgetAttachment(ctx: Ctx, server: Obj, volumeId: string) {
  const list = ctx.state.serverVolumes.get(server.id) ?? [];
  ctx.state.serverVolumes.set(
    server.id,
    list.filter(a => a.volumeId !== volumeId),
  );
  server['os-extended-volumes:volumes_attached'] = server[
    'os-extended-volumes:volumes_attached'
  ].filter((a: Obj) => a.id !== volumeId);
}

/** `os-volume_attachments`: list, show, attach, update (`delete_on_termination` from 2.85), detach. */
export function addVolumeAttachmentRoutes(r: RouteTable) {
  r.get(P, ctx => {
    const s = getServer(ctx);
    const list = ctx.state.serverVolumes.get(s.id) ?? [];
    return ok({
      volumeAttachments: list.map(a => attachmentView(ctx, s, a)),
    });
  });
  r.get(`${P}/([^/]+)`, ctx => {
    const s = getServer(ctx);
    const a = findAttachment(ctx, s, ctx.params[1]);
    return ok({ volumeAttachment: attachmentView(ctx, s, a) });
  });
  r.post(P, ctx => {
    const s = getServer(ctx);
    const req = ctx.body?.volumeAttachment;
    if (!req?.volumeId)
      fail(
        'compute',
        400,
        "Invalid input for field/attribute volumeAttachment. Value: {}. 'volumeId' is a required property",
      );
    if ('delete_on_termination' in req && !mvAtLeast(ctx, 2, 79))
      fail(
        'compute',
        400,
        "Invalid input for field/attribute volumeAttachment. Additional properties are not allowed ('delete_on_termination' was unexpected)",
      );
    checkServerState(s, 'attach_volume');
    const st = ctx.state;
    const vol = st.volumes.get(req.volumeId);
    if (!vol)
      fail('compute', 404, `Volume ${req.volumeId} could not be found.`);
    if (vol.status !== 'available')
      fail(
        'compute',
        400,
        `Invalid volume: volume '${vol.id}' status must be 'available'. Currently in '${vol.status}'`,
      );
    const device = req.device ?? nextDevice(ctx, s);
    const dot = !!req.delete_on_termination;
    attachVolume(st, vol, s, device, Date.now(), randomUUID(), dot);
    const list = st.serverVolumes.get(s.id)!;
    list[list.length - 1].tag = req.tag ?? null;
    // Cinder shows the volume attaching until the compute host finishes
    const attachments = vol.attachments;
    vol.status = 'attaching';
    vol.attachments = [];
    ctx.sim.schedule(ctx.sim.options.transitionMs, () => {
      if (vol.status !== 'attaching') return;
      vol.status = 'in-use';
      vol.attachments = attachments;
    });
    s.updated = isoZ(Date.now());
    return ok({
      volumeAttachment: attachmentView(ctx, s, list[list.length - 1]),
    });
  });
  r.put(`${P}/([^/]+)`, ctx => {
    const s = getServer(ctx);
    const volumeId = ctx.params[1];
    const req = ctx.body?.volumeAttachment ?? {};
    const extra = Object.keys(req).find(k => k !== 'volumeId');
    if (extra && !mvAtLeast(ctx, 2, 85))
      fail(
        'compute',
        400,
        `Invalid input for field/attribute volumeAttachment. Additional properties are not allowed ('${extra}' was unexpected)`,
      );
    const a = findAttachment(ctx, s, volumeId);
    if (req.volumeId !== volumeId)
      fail(
        'compute',
        400,
        'Swapping volumes is not supported by the simulator.',
      );
    for (const k of ['device', 'tag', 'serverId', 'id'])
      if (k in req && req[k] !== attachmentView(ctx, s, a)[k])
        fail(
          'compute',
          400,
          `Invalid input for field/attribute volumeAttachment. The '${k}' of an attachment cannot be updated.`,
        );
    if ('delete_on_termination' in req) {
      a.delete_on_termination = !!req.delete_on_termination;
      const shown = s['os-extended-volumes:volumes_attached'].find(
        (x: Obj) => x.id === volumeId,
      );
      if (shown) shown.delete_on_termination = a.delete_on_termination;
    }
    return { status: 202 };
  });
  r.delete(`${P}/([^/]+)`, ctx => {
    const s = getServer(ctx);
    const volumeId = ctx.params[1];
    const a = (ctx.state.serverVolumes.get(s.id) ?? []).find(
      x => x.volumeId === volumeId,
    );
    if (!a) fail('compute', 404, `volume_id not found: ${volumeId}`);
    if (!s.image && a.device === s['OS-EXT-SRV-ATTR:root_device_name'])
      fail('compute', 400, 'Cannot detach a root device volume');
    checkServerState(s, 'detach_volume');
    forgetAttachment(ctx, s, volumeId);
    const vol = ctx.state.volumes.get(volumeId);
    if (vol) {
      vol.status = 'detaching';
      ctx.sim.schedule(ctx.sim.options.transitionMs, () => {
        if (vol.status !== 'detaching') return;
        vol.status = 'available';
        vol.attachments = [];
      });
    }
    return { status: 202 };
  });
}
