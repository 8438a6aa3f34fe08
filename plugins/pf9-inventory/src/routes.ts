import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The PF9 Ops page (`/pf9`); its inventory tabs are sub-paths. */
export const rootRouteRef = createRouteRef();
