import { ConfigReader } from '@backstage/config';
import { readPf9Config } from './config';

const validCloud = {
  id: 'demo',
  auth: { url: 'http://127.0.0.1:5000/v3', username: 'admin', password: 'x' },
};

function read(pf9: unknown) {
  return () => readPf9Config(new ConfigReader({ pf9 } as any));
}

describe('readPf9Config', () => {
  it('accepts a valid config and applies defaults', () => {
    const config = readPf9Config(
      new ConfigReader({
        pf9: {
          clouds: [validCloud],
          access: { roles: { viewer: ['group:default/ops'] } },
        },
      }),
    );
    expect(config.clouds).toEqual([
      { ...validCloud, interface: 'public', insecure: false },
    ]);
    expect(config.access).toEqual({
      roles: { viewer: ['group:default/ops'] },
      scopes: [],
    });
  });

  it('accepts a config without a pf9 key', () => {
    expect(readPf9Config(new ConfigReader({}))).toEqual({
      clouds: [],
      access: { roles: {}, scopes: [] },
    });
  });

  it.each([
    [
      'a cloud id that is not a DNS label',
      { clouds: [{ ...validCloud, id: 'Demo Cloud' }] },
      "Invalid config at 'pf9.clouds[0].id': must be a DNS label",
    ],
    [
      'a duplicate cloud id',
      { clouds: [validCloud, validCloud] },
      "Invalid config at 'pf9.clouds[1].id': duplicates cloud id 'demo'",
    ],
    [
      'a cloud without a credential source',
      { clouds: [{ id: 'demo' }] },
      "Invalid config at 'pf9.clouds[0]': needs exactly one of auth, cloudsYaml or fromEnvironment",
    ],
    [
      'password auth without a password',
      {
        clouds: [
          { id: 'demo', auth: { url: 'http://k:5000/v3', username: 'a' } },
        ],
      },
      "Invalid config at 'pf9.clouds[0].auth.password': is required for password authentication",
    ],
    [
      'an unknown interface',
      { clouds: [{ ...validCloud, interface: 'private' }] },
      "Invalid config at 'pf9.clouds[0].interface'",
    ],
    [
      'an unknown key in a cloud',
      { clouds: [{ ...validCloud, pasword: 'typo' }] },
      "Invalid config at 'pf9.clouds[0]'",
    ],
    [
      'an unknown role',
      { access: { roles: { owner: ['user:default/a'] } } },
      "Invalid config at 'pf9.access.roles.owner': is not a role",
    ],
    [
      'a role member that is not a ref',
      { access: { roles: { admin: ['alice'] } } },
      "Invalid config at 'pf9.access.roles.admin[0]': must be user:<namespace>/<name>",
    ],
  ])('names the key for %s', (_what, pf9, message) => {
    expect(read(pf9)).toThrow(message);
  });
});
