import { createApiRef } from '@backstage/frontend-plugin-api';
import { Pf9Client } from '@internal/plugin-pf9-common';

/** The typed pf9 REST client, shared by the pf9 frontend plugins. */
export const pf9ApiRef = createApiRef<Pf9Client>().with({
  id: 'plugin.pf9.client',
});
