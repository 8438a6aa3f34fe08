/**
 * PF9 Ops inventory frontend plugin.
 *
 * @packageDocumentation
 */
export { pf9InventoryPlugin as default } from './plugin';
export { pf9ApiRef } from './api';
export { ServerPagedTable } from './components/ServerPagedTable';
export type { PageRequest } from './components/ServerPagedTable';
export { formatDateTime, formatDuration, runDuration } from './lib/format';
