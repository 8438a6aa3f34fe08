/**
 * The one seam to the inventory plugin: its pf9 API client, its server-paged table and its formatting. (Backstage's lint
 * warns about importing another frontend plugin; a shared web library for both would remove this file.)
 */
export {
  formatDateTime,
  formatDuration,
  pf9ApiRef,
  runDuration,
  ServerPagedTable,
} from '@internal/plugin-pf9-inventory';
