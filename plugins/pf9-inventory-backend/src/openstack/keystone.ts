/**
 * Keystone v3 calls: the identity listings of SPEC §1.2 (types 1–6) and the application
 * credentials the tests and cross-project jobs need.
 */
import {
  Listing,
  PartitionedListing,
  confirmScope,
  listKeystone,
  listKeystonePerDomain,
} from './paging';
import { OpenStackError } from './errors';
import { OpenStackSession } from './session';

export interface KeystoneDomain {
  id: string;
  name: string;
  enabled: boolean;
  description?: string;
  [key: string]: unknown;
}
export interface KeystoneProject {
  id: string;
  name: string;
  domain_id: string;
  parent_id?: string | null;
  is_domain?: boolean;
  enabled?: boolean;
  tags?: string[];
  [key: string]: unknown;
}
export interface KeystoneUser {
  id: string;
  name: string;
  domain_id: string;
  enabled?: boolean;
  email?: string;
  default_project_id?: string;
  password_expires_at?: string | null;
  federated?: unknown[];
  [key: string]: unknown;
}
export interface KeystoneGroup {
  id: string;
  name: string;
  domain_id: string;
  description?: string;
  [key: string]: unknown;
}
export interface KeystoneRole {
  id: string;
  name: string;
  domain_id?: string | null;
  [key: string]: unknown;
}
export interface KeystoneRoleAssignment {
  role: { id: string; name?: string; domain?: { id: string; name?: string } };
  user?: { id: string; name?: string; domain?: { id: string; name?: string } };
  group?: { id: string; name?: string; domain?: { id: string; name?: string } };
  scope: {
    project?: { id: string; name?: string; domain?: { id: string } };
    domain?: { id: string; name?: string };
    system?: { all?: boolean };
    'OS-INHERIT:inherited_to'?: string;
  };
  [key: string]: unknown;
}
export interface ApplicationCredential {
  id: string;
  name: string;
  secret?: string;
  project_id: string;
  roles?: Array<{ id: string; name: string }>;
  expires_at?: string | null;
  unrestricted?: boolean;
  [key: string]: unknown;
}

export type ScopedListing<T> = Listing<T> & { scopeConfirmed: boolean };

function projectUserRole(projectId: string, userId: string, roleId: string) {
  const e = encodeURIComponent;
  return `/projects/${e(projectId)}/users/${e(userId)}/roles/${e(roleId)}`;
}

export class KeystoneApi {
  constructor(private readonly session: OpenStackSession) {}

  /** 1: every domain, enabled or not. */
  async listDomains(): Promise<ScopedListing<KeystoneDomain>> {
    return confirmScope(
      this.session,
      await listKeystone<KeystoneDomain>(this.session, '/domains', 'domains'),
    );
  }

  /** 2: all projects; re-listed per domain if Keystone truncates. */
  async listProjects(): Promise<
    PartitionedListing<KeystoneProject> & { scopeConfirmed: boolean }
  > {
    return confirmScope(
      this.session,
      await listKeystonePerDomain<KeystoneProject>(
        this.session,
        '/projects',
        'projects',
        () => this.listDomains(),
      ),
    );
  }

  /** 3: users of every domain (Keystone lists only the default domain's users without a filter). */
  async listUsers(): Promise<
    PartitionedListing<KeystoneUser> & { scopeConfirmed: boolean }
  > {
    return confirmScope(
      this.session,
      await listKeystonePerDomain<KeystoneUser>(
        this.session,
        '/users',
        'users',
        () => this.listDomains(),
        { alwaysPerDomain: true },
      ),
    );
  }

  async listUsersOfDomain(domainId: string): Promise<Listing<KeystoneUser>> {
    return listKeystone(this.session, '/users', 'users', {
      domain_id: domainId,
    });
  }

  /** 4: groups of every domain. */
  async listGroups(): Promise<
    PartitionedListing<KeystoneGroup> & { scopeConfirmed: boolean }
  > {
    return confirmScope(
      this.session,
      await listKeystonePerDomain<KeystoneGroup>(
        this.session,
        '/groups',
        'groups',
        () => this.listDomains(),
        { alwaysPerDomain: true },
      ),
    );
  }

  /** 4: members of one group. */
  async listGroupUsers(groupId: string): Promise<Listing<KeystoneUser>> {
    return listKeystone(
      this.session,
      `/groups/${encodeURIComponent(groupId)}/users`,
      'users',
    );
  }

  /** 5 */
  async listRoles(): Promise<ScopedListing<KeystoneRole>> {
    return confirmScope(
      this.session,
      await listKeystone<KeystoneRole>(this.session, '/roles', 'roles'),
    );
  }

  /** 6: direct assignments, or with `effective` the expanded ones (groups and inheritance resolved). */
  async listRoleAssignments(
    options: { effective?: boolean } = {},
  ): Promise<ScopedListing<KeystoneRoleAssignment>> {
    return confirmScope(
      this.session,
      await listKeystone<KeystoneRoleAssignment>(
        this.session,
        '/role_assignments',
        'role_assignments',
        {
          include_names: 'true',
          ...(options.effective ? { effective: 'true' } : {}),
        },
      ),
    );
  }

  /** A user's direct role on a project (HEAD): false on 404. */
  async hasProjectUserRole(
    projectId: string,
    userId: string,
    roleId: string,
  ): Promise<boolean> {
    try {
      await this.session.request(
        'identity',
        'HEAD',
        projectUserRole(projectId, userId, roleId),
      );
      return true;
    } catch (e) {
      if (e instanceof OpenStackError && e.status === 404) return false;
      throw e;
    }
  }

  async grantProjectUserRole(
    projectId: string,
    userId: string,
    roleId: string,
  ) {
    await this.session.request(
      'identity',
      'PUT',
      projectUserRole(projectId, userId, roleId),
    );
  }

  async revokeProjectUserRole(
    projectId: string,
    userId: string,
    roleId: string,
  ) {
    await this.session.request(
      'identity',
      'DELETE',
      projectUserRole(projectId, userId, roleId),
    );
  }

  async getProject(projectId: string): Promise<KeystoneProject> {
    const body = await this.session.json<{ project: KeystoneProject }>(
      'identity',
      'GET',
      `/projects/${encodeURIComponent(projectId)}`,
    );
    return body.project;
  }

  async createApplicationCredential(
    userId: string,
    request: {
      name: string;
      description?: string;
      secret?: string;
      expires_at?: string;
      roles?: Array<{ id?: string; name?: string }>;
      unrestricted?: boolean;
    },
  ): Promise<ApplicationCredential> {
    const body = await this.session.json<{
      application_credential: ApplicationCredential;
    }>(
      'identity',
      'POST',
      `/users/${encodeURIComponent(userId)}/application_credentials`,
      { body: { application_credential: request } },
    );
    return body.application_credential;
  }

  async deleteApplicationCredential(
    userId: string,
    credentialId: string,
  ): Promise<void> {
    await this.session.request(
      'identity',
      'DELETE',
      `/users/${encodeURIComponent(
        userId,
      )}/application_credentials/${encodeURIComponent(credentialId)}`,
    );
  }
}
