/**
 * Cross-project credentials of the cycle (SPEC SNAP-18, SNAP-19): a client whose token is scoped to
 * the volume's own project, or an error — never the admin or service project.
 *
 * - `projectScopedAdmin` re-scopes the admin user to the project (it needs a role there);
 * - `serviceUser` authenticates an existing user (domain by id or name) scoped to the project by id,
 *   after granting it the configured role there when missing (HEAD, then PUT); every grant we make is
 *   recorded, and only recorded grants are ever revoked.
 */
import { Knex } from 'knex';
import type { CloudConfig, SnapshotCredentialsConfig } from '../config';
import {
  OpenStackClient,
  OpenStackError,
  resolveCloud,
  ResolvedCloud,
} from '../openstack';

type ServiceUserConfig = Extract<
  SnapshotCredentialsConfig,
  { mode: 'serviceUser' }
>;

/** Project-scoped credentials for a cloud (SNAP-18 `projectScopedAdmin`). */
export function projectScopedCloud(
  cloud: ResolvedCloud,
  projectId: string,
): ResolvedCloud {
  if (cloud.auth.method !== 'password') {
    throw new Error(
      'an application credential carries a fixed scope and cannot be scoped to another project',
    );
  }
  return {
    ...cloud,
    auth: {
      ...cloud.auth,
      projectId,
      projectName: undefined,
      projectDomainId: undefined,
      projectDomainName: undefined,
      domainId: undefined,
      domainName: undefined,
    },
  };
}

/** The service user's password credentials, scoped to the project by id (SNAP-18 `serviceUser`). */
export function serviceUserCloud(
  cloud: ResolvedCloud,
  user: ServiceUserConfig,
  projectId: string,
): ResolvedCloud {
  return {
    ...cloud,
    auth: {
      authUrl: cloud.auth.authUrl,
      method: 'password',
      username: user.username,
      password: user.password,
      userDomainId: user.domainId,
      userDomainName: user.domainId ? undefined : user.domainName,
      projectId,
    },
  };
}

export interface CredentialDeps {
  db: Knex;
  cloud: CloudConfig;
  config: SnapshotCredentialsConfig;
  /** the admin client of the run (read-only in a dry-run) */
  admin: OpenStackClient;
  client: (cloud: ResolvedCloud) => OpenStackClient;
  runId: string;
  now: () => Date;
}

/** One run's project-scoped clients, each project resolved once. */
export class ProjectCredentials {
  private readonly clients = new Map<string, Promise<OpenStackClient>>();
  private user?: { id: string; roleId?: string; roleName: string };

  constructor(private readonly x: CredentialDeps) {}

  /** Checks the service user exists (a missing user fails the cycle with a clear error). */
  async prepare(): Promise<void> {
    if (this.x.config.mode !== 'serviceUser') return;
    this.user = await findServiceUser(this.x.admin, this.x.config);
  }

  scopedClient(projectId: string): Promise<OpenStackClient> {
    let client = this.clients.get(projectId);
    if (!client) {
      client = this.open(projectId);
      this.clients.set(projectId, client);
    }
    return client;
  }

  private async open(projectId: string): Promise<OpenStackClient> {
    const resolved = resolveCloud(this.x.cloud);
    let cloud: ResolvedCloud;
    if (this.x.config.mode === 'serviceUser') {
      await this.ensureGrant(projectId);
      cloud = serviceUserCloud(resolved, this.x.config, projectId);
    } else {
      cloud = projectScopedCloud(resolved, projectId);
    }
    const client = this.x.client(cloud);
    const token = await client.session.token();
    if (token.projectId !== projectId) {
      throw new Error(
        `token is scoped to ${token.projectId ?? 'nothing'}, not ${projectId}`,
      );
    }
    return client;
  }

  /** SNAP-19: HEAD the grant, PUT it when missing, record what we granted. */
  private async ensureGrant(projectId: string): Promise<void> {
    const user = this.user;
    if (!user?.roleId) return;
    const identity = this.x.admin.identity;
    if (await identity.hasProjectUserRole(projectId, user.id, user.roleId))
      return;
    await identity.grantProjectUserRole(projectId, user.id, user.roleId);
    const key = {
      cloud_id: this.x.cloud.id,
      project_id: projectId,
      user_id: user.id,
      role_id: user.roleId,
    };
    const known = await this.x.db('snapshot_role_grants').where(key).first();
    if (!known) {
      await this.x.db('snapshot_role_grants').insert({
        ...key,
        role_name: user.roleName,
        granted_at: this.x.now(),
        run_id: this.x.runId,
      });
    }
  }
}

async function findServiceUser(
  admin: OpenStackClient,
  config: ServiceUserConfig,
): Promise<{ id: string; roleId?: string; roleName: string }> {
  let domainId = config.domainId;
  if (!domainId) {
    const domains = (await admin.identity.listDomains()).items;
    domainId = domains.find(d => d.name === config.domainName)?.id;
    if (!domainId) {
      throw new Error(
        `snapshot service user: domain '${config.domainName}' does not exist`,
      );
    }
  }
  const users = (await admin.identity.listUsersOfDomain(domainId)).items;
  const user = users.find(u => u.name === config.username);
  if (!user) {
    throw new Error(
      `snapshot service user '${config.username}' does not exist in domain ${
        config.domainName ?? domainId
      }; create it first (the product never creates it)`,
    );
  }
  const roleName = config.autoGrant.role;
  if (!config.autoGrant.enabled) return { id: user.id, roleName };
  const role = (await admin.identity.listRoles()).items.find(
    r => r.name.toLowerCase() === roleName.toLowerCase(),
  );
  if (!role) {
    throw new Error(`snapshot service user: role '${roleName}' does not exist`);
  }
  return { id: user.id, roleId: role.id, roleName: role.name };
}

export interface RoleGrant {
  cloudId: string;
  projectId: string;
  userId: string;
  roleId: string;
  roleName: string;
  grantedAt: string;
  runId: string | null;
}

export async function listGrants(
  db: Knex,
  cloudId: string,
): Promise<RoleGrant[]> {
  const rows = await db('snapshot_role_grants')
    .where({ cloud_id: cloudId })
    .orderBy(['project_id', 'role_id']);
  return rows.map(r => ({
    cloudId: r.cloud_id,
    projectId: r.project_id,
    userId: r.user_id,
    roleId: r.role_id,
    roleName: r.role_name,
    grantedAt: new Date(r.granted_at).toISOString(),
    runId: r.run_id,
  }));
}

/** SNAP-19: removes only grants we recorded (a 404 means it is gone already). */
export async function revokeGrants(
  db: Knex,
  admin: OpenStackClient,
  cloudId: string,
  selection: { projectIds?: string[]; all?: boolean },
): Promise<{
  revoked: RoleGrant[];
  failed: Array<{ grant: RoleGrant; error: string }>;
}> {
  const grants = (await listGrants(db, cloudId)).filter(
    g => selection.all || selection.projectIds?.includes(g.projectId),
  );
  const revoked: RoleGrant[] = [];
  const failed: Array<{ grant: RoleGrant; error: string }> = [];
  for (const g of grants) {
    try {
      await admin.identity.revokeProjectUserRole(
        g.projectId,
        g.userId,
        g.roleId,
      );
    } catch (e) {
      if (!(e instanceof OpenStackError && e.status === 404)) {
        failed.push({ grant: g, error: String(e) });
        continue;
      }
    }
    await db('snapshot_role_grants')
      .where({
        cloud_id: cloudId,
        project_id: g.projectId,
        user_id: g.userId,
        role_id: g.roleId,
      })
      .delete();
    revoked.push(g);
  }
  return { revoked, failed };
}

const DAY_MS = 86_400_000;

/**
 * SNAP-19 `revokeUnusedAfterDays`: grants on projects that hold a protected volume now are marked as
 * needed; our grants whose project has held none for `days` (since the last mark, or the grant) go.
 */
export async function revokeUnusedGrants(
  db: Knex,
  admin: OpenStackClient,
  cloudId: string,
  protectedProjects: Set<string>,
  now: Date,
  days: number,
): ReturnType<typeof revokeGrants> {
  const ids = [...protectedProjects];
  for (let i = 0; i < ids.length; i += 500) {
    await db('snapshot_role_grants')
      .where({ cloud_id: cloudId })
      .whereIn('project_id', ids.slice(i, i + 500))
      .update({ last_needed_at: now });
  }
  const cutoff = now.getTime() - days * DAY_MS;
  const unused = (
    await db('snapshot_role_grants')
      .where({ cloud_id: cloudId })
      .select('project_id', 'granted_at', 'last_needed_at')
  )
    .filter(
      r =>
        !protectedProjects.has(r.project_id) &&
        new Date(r.last_needed_at ?? r.granted_at).getTime() < cutoff,
    )
    .map(r => r.project_id as string);
  if (!unused.length) return { revoked: [], failed: [] };
  return revokeGrants(db, admin, cloudId, { projectIds: unused });
}
