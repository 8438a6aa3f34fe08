/**
 * The one seam to the inventory plugin: its pf9 API client and its server-paged table. (Backstage's lint
 * warns about importing another frontend plugin; a shared web library for both would remove this file.)
 */
export { pf9ApiRef, ServerPagedTable } from '@internal/plugin-pf9-inventory';
