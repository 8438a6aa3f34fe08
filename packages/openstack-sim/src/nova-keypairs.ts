import { createHash, generateKeyPairSync } from 'crypto';
import { Ctx, RouteTable, fail, isAdmin, mvAtLeast, ok } from './http';
import { Obj, isoMicro } from './util';

const P = '/compute/v2.1';

/** The user whose keypairs a call addresses: `user_id` is an admin-only parameter from 2.10. */
function keypairUser(ctx: Ctx, requested?: string): string {
  const own = ctx.token!.userId;
  if (!requested || !mvAtLeast(ctx, 2, 10)) return own;
  if (requested !== own && !isAdmin(ctx))
    fail(
      'compute',
      403,
      'Policy does not allow os_compute_api:os-keypairs:show to be performed.',
    );
  return requested;
}

function findKeypair(ctx: Ctx, userId: string, name: string): Obj {
  const k = ctx.state.keypairs.find(
    x => x.user_id === userId && x.keypair.name === name,
  );
  if (!k) fail('compute', 404, `Keypair ${name} not found for user ${userId}`);
  return k;
}

/** Nova's fingerprint of an OpenSSH public key: MD5 of the key blob as colon-separated hex. */
function fingerprint(publicKey: string): string | undefined {
  const m = /^(ssh-[a-z0-9-]+|ecdsa-[a-z0-9-]+)\s+([A-Za-z0-9+/=]+)(\s|$)/.exec(
    publicKey.trim(),
  );
  if (!m) return undefined;
  const blob = Buffer.from(m[2], 'base64');
  if (!blob.length) return undefined;
  return createHash('md5')
    .update(blob)
    .digest('hex')
    .replace(/(..)(?!$)/g, '$1:');
}

/** A new OpenSSH ed25519 key pair (Nova generates one when no public key is given, before 2.92). */
function generateKeypair(name: string): {
  public_key: string;
  private_key: string;
} {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
  return {
    public_key: `ssh-ed25519 ${blob.toString('base64')} ${name}`,
    private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

function keypairView(ctx: Ctx, k: Obj): Obj {
  const v: Obj = { ...k.keypair, user_id: k.user_id };
  if (!mvAtLeast(ctx, 2, 2)) delete v.type;
  return v;
}

/** Keypair show, import/create and delete (`os-keypairs/{name}`), per user like Nova. */
export function addKeypairRoutes(r: RouteTable) {
  r.get(`${P}/os-keypairs/([^/]+)`, ctx => {
    const userId = keypairUser(ctx, ctx.query.user_id);
    const k = findKeypair(ctx, userId, ctx.params[0]);
    return ok({
      keypair: {
        ...keypairView(ctx, k),
        created_at: k.created_at,
        updated_at: null,
        deleted: false,
        deleted_at: null,
        id: ctx.state.keypairs.indexOf(k) + 1,
      },
    });
  });
  r.post(`${P}/os-keypairs`, ctx => {
    const req = ctx.body?.keypair;
    const name = req?.name;
    if (typeof name !== 'string' || !/^[a-zA-Z0-9 _.@-]{1,255}$/.test(name))
      fail(
        'compute',
        400,
        `Invalid input for field/attribute name. Value: ${name}. '${name}' does not match the keypair name pattern`,
      );
    const userId = keypairUser(ctx, req.user_id);
    const st = ctx.state;
    if (st.keypairs.some(x => x.user_id === userId && x.keypair.name === name))
      fail('compute', 409, `Key pair '${name}' already exists.`);
    const quota = st.quotas.nova.get(ctx.token!.projectId!)?.key_pairs ?? -1;
    const owned = st.keypairs.filter(x => x.user_id === userId).length;
    if (quota >= 0 && owned >= quota)
      fail('compute', 403, 'Quota exceeded, too many key pairs.');
    let publicKey: string | undefined = req.public_key;
    let privateKey: string | undefined;
    if (publicKey === undefined) {
      if (mvAtLeast(ctx, 2, 92))
        fail(
          'compute',
          400,
          "Invalid input for field/attribute keypair. Value: {}. 'public_key' is a required property",
        );
      ({ public_key: publicKey, private_key: privateKey } =
        generateKeypair(name));
    }
    const fp = fingerprint(String(publicKey));
    if (!fp)
      fail(
        'compute',
        400,
        'Keypair data is invalid: failed to generate fingerprint',
      );
    const k = {
      user_id: userId,
      created_at: isoMicro(Date.now()),
      keypair: {
        name,
        public_key: publicKey,
        fingerprint: fp,
        type: req.type ?? 'ssh',
      },
    };
    st.keypairs.push(k);
    const view = keypairView(ctx, k);
    if (privateKey) view.private_key = privateKey;
    return ok({ keypair: view }, mvAtLeast(ctx, 2, 2) ? 201 : 200);
  });
  r.delete(`${P}/os-keypairs/([^/]+)`, ctx => {
    const userId = keypairUser(ctx, ctx.query.user_id);
    const k = findKeypair(ctx, userId, ctx.params[0]);
    const st = ctx.state;
    st.keypairs.splice(st.keypairs.indexOf(k), 1);
    return { status: mvAtLeast(ctx, 2, 2) ? 204 : 202 };
  });
}
