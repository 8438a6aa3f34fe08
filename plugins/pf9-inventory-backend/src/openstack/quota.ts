/**
 * Quota arithmetic as Nova, Cinder and Neutron report it (`limit`, `in_use`, `reserved`): what is left is
 * `limit − in_use − reserved`; a negative limit (-1) means unlimited, and 0 means none allowed.
 */
export function quotaHeadroom(usage: {
  limit: number;
  inUse?: number;
  reserved?: number;
}): number {
  if (usage.limit < 0) return Infinity;
  return usage.limit - (usage.inUse ?? 0) - (usage.reserved ?? 0);
}
