/** Type trees for comparing simulator responses with recorded OpenStack responses. */
export interface Shape {
  types: Set<string>;
  keys?: Map<string, Shape>;
  items?: Shape;
}

export function shapeOf(value: unknown): Shape {
  if (value === null || value === undefined)
    return { types: new Set(['null']) };
  if (Array.isArray(value)) {
    let items: Shape | undefined;
    for (const v of value)
      items = items ? merge(items, shapeOf(v)) : shapeOf(v);
    return { types: new Set(['array']), items };
  }
  if (typeof value === 'object') {
    const keys = new Map<string, Shape>();
    for (const [k, v] of Object.entries(value as object))
      keys.set(k, shapeOf(v));
    return { types: new Set(['object']), keys };
  }
  return { types: new Set([typeof value]) };
}

/** Union of two shapes (array elements are merged, so optional keys show up once). */
export function merge(a: Shape, b: Shape): Shape {
  const out: Shape = { types: new Set([...a.types, ...b.types]) };
  if (a.keys || b.keys) {
    out.keys = new Map(a.keys ?? []);
    for (const [k, v] of b.keys ?? []) {
      const prev = out.keys.get(k);
      out.keys.set(k, prev ? merge(prev, v) : v);
    }
  }
  if (a.items && b.items) out.items = merge(a.items, b.items);
  else out.items = a.items ?? b.items;
  return out;
}

export interface CompareOptions {
  /** keys whose value is free-form (metadata, extra_specs, ...): only the type is compared */
  opaque?: string[];
  /** keys whose value is a map with data-dependent keys: its values are merged and compared */
  maps?: string[];
  /** keys whose object may carry extra keys the sample does not have */
  allowExtra?: string[];
  /**
   * optional attributes of the real APIs that the lab's fixture objects happen not to carry (or carry
   * only on some objects): not required in either direction, compared when present in both
   */
  optional?: string[];
  /** keys where the lab's fake driver reports a different type than real drivers (see README) */
  looseTypes?: string[];
}

export const DEFAULT_COMPARE: Required<CompareOptions> = {
  opaque: [
    'metadata',
    'extra_specs',
    'binding:profile',
    'binding:vif_details',
    'options',
    'rules',
    'cpu_info',
    'hosts',
    'volume_image_metadata',
  ],
  maps: ['addresses'],
  allowExtra: ['quota_set'],
  optional: [
    'default_project_id',
    'OS-INHERIT:inherited_to',
    'volume_image_metadata',
    'os_version',
    'os_distro',
    'image_type',
    'instance_uuid',
    'hw_architecture',
    'owner_specified.openstack.md5',
    'owner_specified.openstack.sha256',
    'owner_specified.openstack.object',
    'thin_provisioning_support',
    'max_over_subscription_ratio',
    'is_default',
    'fault',
  ],
  looseTypes: ['total_capacity_gb', 'free_capacity_gb'],
};

function mapShape(s: Shape): Shape {
  let values: Shape | undefined;
  for (const v of s.keys?.values() ?? [])
    values = values ? merge(values, v) : v;
  return { types: s.types, items: values };
}

/**
 * Differences between the recorded sample's shape and the simulator's shape.
 * null in either is accepted against a scalar or object of the other (the sample's fixture
 * had no value where the simulator has one, or the other way round).
 */
export function compareShapes(
  sample: Shape,
  sim: Shape,
  path = '$',
  opts: Required<CompareOptions> = DEFAULT_COMPARE,
  lastKey = '',
): string[] {
  const diffs: string[] = [];
  const sTypes = [...sample.types].filter(t => t !== 'null');
  const mTypes = [...sim.types].filter(t => t !== 'null');
  if (
    sTypes.length &&
    mTypes.length &&
    !opts.looseTypes.includes(lastKey) &&
    !sTypes.every(t => sim.types.has(t))
  ) {
    if (!sTypes.some(t => sim.types.has(t)))
      diffs.push(
        `${path}: type ${[...sample.types].join('|')} in sample, ${[
          ...sim.types,
        ].join('|')} in simulator`,
      );
  }
  if (opts.opaque.includes(lastKey)) return diffs;
  if (opts.maps.includes(lastKey) && sample.keys && sim.keys) {
    const a = mapShape(sample);
    const b = mapShape(sim);
    if (a.items && b.items)
      diffs.push(...compareShapes(a.items, b.items, `${path}.*`, opts));
    return diffs;
  }
  if (sample.keys && sim.keys) {
    for (const [k, v] of sample.keys) {
      const other = sim.keys.get(k);
      if (!other) {
        if (!opts.optional.includes(k))
          diffs.push(`${path}.${k}: missing in simulator`);
      } else diffs.push(...compareShapes(v, other, `${path}.${k}`, opts, k));
    }
    if (!opts.allowExtra.includes(lastKey)) {
      for (const k of sim.keys.keys())
        if (!sample.keys.has(k) && !opts.optional.includes(k))
          diffs.push(`${path}.${k}: not in sample`);
    }
  }
  if (sample.items && sim.items)
    diffs.push(
      ...compareShapes(sample.items, sim.items, `${path}[]`, opts, lastKey),
    );
  else if (sample.items && !sim.items)
    diffs.push(`${path}: empty array in simulator, sample has elements`);
  return diffs;
}
