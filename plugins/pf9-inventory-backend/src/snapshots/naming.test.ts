import { namePart, snapshotName } from './naming';

const at = new Date('2026-11-26T08:05:09.123Z');

describe('snapshot names (SNAP-14)', () => {
  it('joins project, policy, server, volume and the UTC stamp', () => {
    expect(
      snapshotName({
        projectName: 'alpha-prod',
        policy: 'daily_5',
        serverName: 'alpha-web-1',
        volumeName: 'alpha-data-1',
        volumeId: 'v1',
        at,
      }),
    ).toBe('auto-alpha-prod-daily_5-alpha-web-1-alpha-data-1-20261126-080509');
  });

  it('leaves out the server when detached and the project when unknown; an unnamed volume gives its id', () => {
    expect(
      snapshotName({
        policy: 'daily_5',
        volumeName: '  ',
        volumeId: 'f00d',
        at,
      }),
    ).toBe('auto-daily_5-f00d-20261126-080509');
  });

  it.each([
    ['  my  vol ', 'my_vol'],
    ['a/b:c*d', 'a-b-c-d'],
    ['ünï', '-n-'],
    ['x'.repeat(50), 'x'.repeat(40)],
  ])('part %j → %j', (value, expected) => {
    expect(namePart(value)).toBe(expected);
  });

  it('never exceeds 255 characters', () => {
    const long = 'n'.repeat(300);
    const name = snapshotName({
      projectName: long,
      policy: long,
      serverName: long,
      volumeName: long,
      volumeId: 'v',
      at,
    });
    expect(name.length).toBeLessThanOrEqual(255);
  });
});
