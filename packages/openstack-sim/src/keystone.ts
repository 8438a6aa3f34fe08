import { randomBytes, randomUUID } from 'crypto';
import { Ctx, RouteTable, Token, fail, isAdmin, ok } from './http';
import { Obj, isoKeystone } from './util';

const versionV3 = (base: string) => ({
  id: 'v3.14',
  status: 'stable',
  updated: '2020-04-07T00:00:00Z',
  links: [{ rel: 'self', href: `${base}/v3/` }],
  'media-types': [
    {
      base: 'application/json',
      type: 'application/vnd.openstack.identity-v3+json',
    },
  ],
});

export function catalogFor(base: string, projectId?: string): Obj[] {
  const endpoints = (url: string) =>
    ['public', 'internal', 'admin'].map(iface => ({
      id: `${iface}-${url.length}`,
      interface: iface,
      region_id: 'RegionOne',
      url,
      region: 'RegionOne',
    }));
  const cinder = `${base}/volume/v3/${projectId ?? ''}`.replace(/\/$/, '');
  const svc = (id: string, type: string, name: string, url: string) => ({
    endpoints: endpoints(url).map((e, i) => ({ ...e, id: `${id}${i}` })),
    id,
    type,
    name,
  });
  return [
    svc(
      'b7a1e0c5f0e1400c9d0a00000000000a',
      'identity',
      'keystone',
      `${base}/v3/`,
    ),
    svc(
      'b7a1e0c5f0e1400c9d0a00000000000b',
      'compute',
      'nova',
      `${base}/compute/v2.1`,
    ),
    svc('b7a1e0c5f0e1400c9d0a00000000000c', 'volumev3', 'cinderv3', cinder),
    svc('b7a1e0c5f0e1400c9d0a00000000000d', 'block-storage', 'cinder', cinder),
    svc(
      'b7a1e0c5f0e1400c9d0a00000000000e',
      'network',
      'neutron',
      `${base}/network`,
    ),
    svc('b7a1e0c5f0e1400c9d0a00000000000f', 'image', 'glance', `${base}/image`),
    svc(
      'b7a1e0c5f0e1400c9d0a000000000010',
      'placement',
      'placement',
      `${base}/placement`,
    ),
  ];
}

function unauthorized(): never {
  return fail('identity', 401);
}

function tokenBody(ctx: Ctx, t: Token): Obj {
  const st = ctx.state;
  const user = st.users.get(t.userId)!;
  const userDomain = st.domains.get(user.domain_id);
  const body: Obj = {
    methods: t.methods,
    user: {
      domain: { id: userDomain?.id, name: userDomain?.name },
      id: user.id,
      name: user.name,
      password_expires_at: user.password_expires_at ?? null,
    },
    audit_ids: [t.auditId],
    expires_at: isoKeystone(t.expiresAt),
    issued_at: isoKeystone(t.issuedAt),
  };
  if (t.projectId) {
    const p = st.projects.get(t.projectId)!;
    const d = st.domains.get(p.domain_id);
    body.project = {
      domain: { id: d?.id, name: d?.name },
      id: p.id,
      name: p.name,
    };
    body.is_domain = false;
  } else if (t.domainId) {
    const d = st.domains.get(t.domainId)!;
    body.domain = { id: d.id, name: d.name };
  }
  if (t.projectId || t.domainId) {
    body.roles = t.roles;
    body.catalog = catalogFor(ctx.sim.url, t.projectId);
  }
  if (t.appCredId) {
    const ac = st.appCreds.get(t.appCredId);
    body.application_credential = {
      id: t.appCredId,
      name: ac?.name,
      restricted: !ac?.unrestricted,
    };
  }
  return body;
}

function findDomain(ctx: Ctx, ref: Obj | undefined): Obj | undefined {
  if (!ref) return undefined;
  if (ref.id) return ctx.state.domains.get(ref.id);
  return ctx.state.domains.all().find(d => d.name === ref.name);
}

function authenticate(ctx: Ctx) {
  const auth = ctx.body?.auth;
  const identity = auth?.identity;
  if (!identity?.methods?.length)
    fail('identity', 400, 'Expecting to find identity in auth.');
  const st = ctx.state;
  let userId: string;
  let projectId: string | undefined;
  let domainId: string | undefined;
  let roleFilter: string[] | undefined;
  let appCredId: string | undefined;
  const methods: string[] = identity.methods;
  if (methods.includes('application_credential')) {
    const ac = identity.application_credential ?? {};
    let cred = ac.id ? st.appCreds.get(ac.id) : undefined;
    if (!cred && ac.name) {
      const userRef = ac.user ?? {};
      const dom = findDomain(ctx, userRef.domain);
      cred = [...st.appCreds.values()].find(c => {
        const u = st.users.get(c.userId);
        return (
          c.name === ac.name &&
          u &&
          (userRef.id
            ? u.id === userRef.id
            : u.name === userRef.name && u.domain_id === dom?.id)
        );
      });
    }
    // Keystone looks an id up first: an unknown (or deleted) id is ApplicationCredentialNotFound (404);
    // a wrong secret, or a name that matches nothing, is 401
    if (!cred && ac.id)
      fail('identity', 404, `Could not find Application Credential: ${ac.id}.`);
    if (!cred || cred.secret !== ac.secret) unauthorized();
    if (cred.expiresAt && Date.parse(cred.expiresAt) < Date.now())
      unauthorized();
    userId = cred.userId;
    projectId = cred.projectId;
    roleFilter = cred.roleIds;
    appCredId = cred.id;
  } else if (methods.includes('password')) {
    const u = identity.password?.user ?? {};
    let user: Obj | undefined;
    if (u.id) user = st.users.get(u.id);
    else {
      const dom = findDomain(ctx, u.domain);
      if (!dom) unauthorized();
      user = st.users
        .all()
        .find(x => x.name === u.name && x.domain_id === dom.id);
    }
    if (!user || !user.enabled || st.passwords.get(user.id) !== u.password)
      unauthorized();
    userId = user.id;
    const scope = auth.scope;
    if (scope?.project) {
      let project: Obj | undefined;
      if (scope.project.id) project = st.projects.get(scope.project.id);
      else {
        const dom = findDomain(ctx, scope.project.domain);
        project = st.projects
          .all()
          .find(p => p.name === scope.project.name && p.domain_id === dom?.id);
      }
      if (!project)
        fail(
          'identity',
          401,
          'The request you have made requires authentication.',
        );
      projectId = project.id;
    } else if (scope?.domain) {
      const dom = findDomain(ctx, scope.domain);
      if (!dom) unauthorized();
      domainId = dom.id;
    } else if (!scope && user.default_project_id) {
      projectId = user.default_project_id;
    }
  } else {
    return fail('identity', 401, 'Unsupported authentication method.');
  }
  let roles =
    projectId || domainId
      ? st.rolesOn(userId, { project: projectId, domain: domainId })
      : [];
  if (roleFilter) roles = roles.filter(r => roleFilter!.includes(r.id));
  if ((projectId || domainId) && !roles.length) unauthorized();
  const token = ctx.sim.issueToken({
    userId,
    projectId,
    domainId,
    roles,
    methods: appCredId ? ['application_credential'] : ['password'],
    appCredId,
  });
  return {
    status: 201,
    body: { token: tokenBody(ctx, token) },
    headers: { 'x-subject-token': token.id },
  };
}

/** Keystone lists: no paging; `truncated: true` when cut by list_limit (or a truncate fault). */
function ksList(ctx: Ctx, key: string, items: Obj[], selfPath: string) {
  const limit = ctx.sim.options.keystoneListLimit;
  let truncated = ctx.truncate;
  let out = items;
  if (limit && items.length > limit) {
    out = items.slice(0, limit);
    truncated = true;
  }
  if (ctx.truncate && out.length > 1)
    out = out.slice(0, Math.ceil(out.length / 2));
  const qs = new URLSearchParams(ctx.search).toString();
  const body: Obj = {
    [key]: out,
    links: {
      next: null,
      self: `${ctx.sim.url}/v3/${selfPath}${qs ? `?${qs}` : ''}`,
      previous: null,
    },
  };
  if (truncated) body.truncated = true;
  return ok(body);
}

function byQuery(ctx: Ctx, items: readonly Obj[], keys: string[]): Obj[] {
  return items.filter(item =>
    keys.every(k => {
      const v = ctx.query[k];
      if (v === undefined) return true;
      if (typeof item[k] === 'boolean')
        return String(item[k]) === v.toLowerCase();
      return item[k] === v;
    }),
  );
}

export function keystoneRoutes(): RouteTable {
  const r = new RouteTable('identity', '');
  r.get(
    '/?',
    ctx => ok({ versions: { values: [versionV3(ctx.sim.url)] } }, 300),
    false,
  );
  r.get('/v3/?', ctx => ok({ version: versionV3(ctx.sim.url) }), false);
  r.post('/v3/auth/tokens', authenticate, false);
  r.get('/v3/auth/tokens', ctx => {
    const subject = String(ctx.headers['x-subject-token'] ?? '');
    const t = ctx.sim.tokens.get(subject);
    if (!t || t.expiresAt <= Date.now())
      fail('identity', 404, `Could not find token: ${subject}.`);
    return {
      status: 200,
      body: { token: tokenBody(ctx, t) },
      headers: { 'x-subject-token': subject },
    };
  });
  r.delete('/v3/auth/tokens', ctx => {
    ctx.sim.tokens.delete(String(ctx.headers['x-subject-token'] ?? ''));
    return { status: 204 };
  });
  r.get('/v3/auth/catalog', ctx =>
    ok({ catalog: catalogFor(ctx.sim.url, ctx.token?.projectId), links: {} }),
  );

  r.get('/v3/domains', ctx =>
    ksList(
      ctx,
      'domains',
      byQuery(ctx, ctx.state.domains.all(), ['name', 'enabled']),
      'domains',
    ),
  );
  r.get('/v3/domains/([^/]+)', ctx => {
    const d = ctx.state.domains.get(ctx.params[0]);
    if (!d) fail('identity', 404, `Could not find domain: ${ctx.params[0]}.`);
    return ok({ domain: d });
  });
  r.get('/v3/projects', ctx =>
    ksList(
      ctx,
      'projects',
      byQuery(ctx, ctx.state.projects.all(), [
        'domain_id',
        'name',
        'enabled',
        'parent_id',
      ]),
      'projects',
    ),
  );
  r.get('/v3/projects/([^/]+)', ctx => {
    const p = ctx.state.projects.get(ctx.params[0]);
    if (!p) fail('identity', 404, `Could not find project: ${ctx.params[0]}.`);
    return ok({ project: p });
  });
  r.get('/v3/users', ctx =>
    ksList(
      ctx,
      'users',
      byQuery(ctx, ctx.state.users.all(), ['domain_id', 'name', 'enabled']),
      'users',
    ),
  );
  r.get('/v3/users/([^/]+)', ctx => {
    const u = ctx.state.users.get(ctx.params[0]);
    if (!u) fail('identity', 404, `Could not find user: ${ctx.params[0]}.`);
    return ok({ user: u });
  });
  r.get('/v3/groups', ctx =>
    ksList(
      ctx,
      'groups',
      byQuery(ctx, ctx.state.groups.all(), ['domain_id', 'name']),
      'groups',
    ),
  );
  r.get('/v3/groups/([^/]+)/users', ctx => {
    const members = ctx.state.groupMembers.get(ctx.params[0]);
    if (!members)
      fail('identity', 404, `Could not find group: ${ctx.params[0]}.`);
    const users = ctx.state.users.all().filter(u => members.has(u.id));
    return ksList(ctx, 'users', users, `groups/${ctx.params[0]}/users`);
  });
  r.get('/v3/roles', ctx =>
    ksList(
      ctx,
      'roles',
      byQuery(ctx, ctx.state.roles.all(), ['name']),
      'roles',
    ),
  );
  r.get('/v3/role_assignments', ctx => roleAssignments(ctx));

  // a user's direct role on a project: check (GET/HEAD), grant (PUT), revoke (DELETE); admin only
  const projectUserRole = '/v3/projects/([^/]+)/users/([^/]+)/roles/([^/]+)';
  const grantOf = (ctx: Ctx) => {
    if (!isAdmin(ctx))
      fail(
        'identity',
        403,
        'You are not authorized to perform the requested action.',
      );
    const [project, user, role] = ctx.params;
    const st = ctx.state;
    if (!st.projects.has(project))
      fail('identity', 404, `Could not find project: ${project}.`);
    if (!st.users.has(user))
      fail('identity', 404, `Could not find user: ${user}.`);
    if (!st.roles.has(role))
      fail('identity', 404, `Could not find role: ${role}.`);
    const index = st.roleAssignments.findIndex(
      a =>
        a.actorType === 'user' &&
        a.actorId === user &&
        a.roleId === role &&
        a.scope.project === project &&
        !a.inherited,
    );
    return { project, user, role, index };
  };
  r.get(projectUserRole, ctx => {
    const g = grantOf(ctx);
    if (g.index < 0) fail('identity', 404, `Could not find role assignment.`);
    return { status: 204 };
  });
  r.put(projectUserRole, ctx => {
    const g = grantOf(ctx);
    if (g.index < 0) {
      ctx.state.roleAssignments.push({
        actorType: 'user',
        actorId: g.user,
        roleId: g.role,
        scope: { project: g.project },
      });
    }
    return { status: 204 };
  });
  r.delete(projectUserRole, ctx => {
    const g = grantOf(ctx);
    if (g.index < 0) fail('identity', 404, `Could not find role assignment.`);
    ctx.state.roleAssignments.splice(g.index, 1);
    return { status: 204 };
  });

  r.post('/v3/users/([^/]+)/application_credentials', ctx => {
    const st = ctx.state;
    const userId = ctx.params[0];
    if (!st.users.get(userId))
      fail('identity', 404, `Could not find user: ${userId}.`);
    if (ctx.token!.userId !== userId)
      fail(
        'identity',
        403,
        'You are not authorized to perform the requested action.',
      );
    if (!ctx.token!.projectId)
      fail(
        'identity',
        400,
        'Application credentials need a project-scoped token.',
      );
    const req = ctx.body?.application_credential ?? {};
    if (!req.name) fail('identity', 400, "'name' is a required property");
    const roleIds: string[] = (req.roles as Obj[] | undefined)?.length
      ? (req.roles as Obj[])
          .map(
            ref =>
              st.roles.all().find(x => x.id === ref.id || x.name === ref.name)
                ?.id,
          )
          .filter((x): x is string => !!x)
      : ctx.token!.roles.map(x => x.id);
    const id = randomUUID().replace(/-/g, '');
    const secret = req.secret ?? randomBytes(24).toString('base64url');
    const cred = {
      id,
      name: req.name,
      secret,
      userId,
      projectId: ctx.token!.projectId,
      roleIds,
      description: req.description ?? null,
      expiresAt: req.expires_at ?? null,
      unrestricted: !!req.unrestricted,
    };
    st.appCreds.set(id, cred);
    return ok(
      {
        application_credential: {
          ...appCredView(ctx, cred),
          secret,
        },
      },
      201,
    );
  });
  r.get('/v3/users/([^/]+)/application_credentials', ctx => {
    const list = [...ctx.state.appCreds.values()]
      .filter(c => c.userId === ctx.params[0])
      .map(c => appCredView(ctx, c));
    return ksList(
      ctx,
      'application_credentials',
      list,
      `users/${ctx.params[0]}/application_credentials`,
    );
  });
  r.delete('/v3/users/([^/]+)/application_credentials/([^/]+)', ctx => {
    if (!ctx.state.appCreds.delete(ctx.params[1]))
      fail(
        'identity',
        404,
        `Could not find Application Credential: ${ctx.params[1]}.`,
      );
    return { status: 204 };
  });
  return r;
}

function appCredView(ctx: Ctx, c: Obj): Obj {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    user_id: c.userId,
    project_id: c.projectId,
    roles: c.roleIds.map((id: string) => {
      const role = ctx.state.roles.get(id);
      return { id, name: role?.name, domain_id: null };
    }),
    expires_at: c.expiresAt,
    unrestricted: c.unrestricted,
    access_rules: [],
    links: {
      self: `${ctx.sim.url}/v3/users/${c.userId}/application_credentials/${c.id}`,
    },
  };
}

function roleAssignments(ctx: Ctx) {
  const st = ctx.state;
  const names =
    ctx.query.include_names !== undefined &&
    ctx.query.include_names !== 'false';
  const effective = ctx.query.effective !== undefined;
  const ref = (d: string | undefined) => {
    const dom = d ? st.domains.get(d) : undefined;
    return names ? { id: dom?.id, name: dom?.name } : { id: dom?.id };
  };
  const actor = (type: 'user' | 'group', id: string) => {
    const o = type === 'user' ? st.users.get(id) : st.groups.get(id);
    return names ? { id, name: o?.name, domain: ref(o?.domain_id) } : { id };
  };
  const out: Obj[] = [];
  const base = `${ctx.sim.url}/v3`;
  for (const a of st.roleAssignments) {
    const role = st.roles.get(a.roleId)!;
    const actorIds =
      effective && a.actorType === 'group'
        ? [...(st.groupMembers.get(a.actorId) ?? [])]
        : [a.actorId];
    const actorType = effective ? 'user' : a.actorType;
    for (const actorId of actorIds) {
      const scopeObj: Obj = {};
      let scopePath: string;
      if (a.scope.project) {
        const p = st.projects.get(a.scope.project);
        scopeObj.project = names
          ? { id: p?.id, name: p?.name, domain: ref(p?.domain_id) }
          : { id: p?.id };
        scopePath = `projects/${a.scope.project}`;
      } else if (a.scope.domain) {
        scopeObj.domain = names
          ? { id: a.scope.domain, name: st.domains.get(a.scope.domain)?.name }
          : { id: a.scope.domain };
        scopePath = `domains/${a.scope.domain}`;
      } else {
        scopeObj.system = { all: true };
        scopePath = 'system';
      }
      if (a.inherited) scopeObj['OS-INHERIT:inherited_to'] = 'projects';
      const entry: Obj = {
        links: {
          assignment: `${base}/${
            a.inherited ? 'OS-INHERIT/' : ''
          }${scopePath}/${a.actorType}s/${a.actorId}/roles/${a.roleId}${
            a.inherited ? '/inherited_to_projects' : ''
          }`,
        },
        scope: scopeObj,
        [actorType]: actor(actorType, actorId),
        role: names ? { id: role.id, name: role.name } : { id: role.id },
      };
      if (effective && a.actorType === 'group')
        entry.links.membership = `${base}/groups/${a.actorId}/users/${actorId}`;
      const f = ctx.query;
      if (f['user.id'] && entry.user?.id !== f['user.id']) continue;
      if (f['group.id'] && entry.group?.id !== f['group.id']) continue;
      if (
        f['scope.project.id'] &&
        scopeObj.project?.id !== f['scope.project.id']
      )
        continue;
      if (f['scope.domain.id'] && scopeObj.domain?.id !== f['scope.domain.id'])
        continue;
      if (f['role.id'] && role.id !== f['role.id']) continue;
      out.push(entry);
    }
  }
  return ksList(ctx, 'role_assignments', out, 'role_assignments');
}
