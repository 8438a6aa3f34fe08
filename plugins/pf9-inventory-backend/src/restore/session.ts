/**
 * RST-12 step 2: the session every restore create and delete goes through, scoped to the server's
 * project with the credential mode of SNAP-18 (the admin re-scoped, or the service user after the role
 * grant of SNAP-19). The snapshot area's credentials do the work, so both areas act the same way and
 * every grant lands in one record.
 */
import { Knex } from 'knex';
import type { CloudConfig, SnapshotCredentialsConfig } from '../config';
import { OpenStackClient } from '../openstack';
import { ProjectCredentials } from '../snapshots/credentials';
import type { ClientFactory } from './context';

export interface ProjectSessionDeps {
  db: Knex;
  credentials: SnapshotCredentialsConfig;
  clientFactory: ClientFactory;
}

export async function openProjectSession(
  deps: ProjectSessionDeps,
  target: {
    cloud: CloudConfig;
    projectId: string;
    jobId: string;
    readOnly: boolean;
  },
): Promise<OpenStackClient> {
  const { cloud, readOnly } = target;
  const credentials = new ProjectCredentials({
    db: deps.db,
    cloud,
    config: deps.credentials,
    admin: deps.clientFactory(cloud, { readOnly }),
    client: resolved => deps.clientFactory(resolved, { readOnly }),
    runId: `restore_job:${target.jobId}`,
    now: () => new Date(),
  });
  await credentials.prepare();
  return credentials.scopedClient(target.projectId);
}
