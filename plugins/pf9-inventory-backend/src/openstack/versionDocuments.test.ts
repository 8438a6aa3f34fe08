import { sharedVersionRange } from './versionDocuments';

const doc = (max: string) => ({
  version: { id: 'v2.1', version: max, min_version: '2.1' },
});

describe('sharedVersionRange', () => {
  afterEach(() => jest.useRealTimers());

  it('reads a document once per URL for five minutes, then again', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-26T10:00:00Z') });
    const read = jest.fn(async () => doc('2.90'));
    const url = 'http://nova.test/compute/';
    expect(await sharedVersionRange('compute', url, read)).toEqual({
      min: '2.1',
      max: '2.90',
    });
    await sharedVersionRange('compute', url, read);
    expect(read).toHaveBeenCalledTimes(1);

    jest.setSystemTime(new Date('2026-11-26T10:05:01Z'));
    read.mockImplementation(async () => doc('2.93'));
    expect((await sharedVersionRange('compute', url, read)).max).toBe('2.93');
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('keeps no failed read', async () => {
    const url = 'http://nova.test/failing/';
    const failing = jest.fn(async () => {
      throw new Error('503');
    });
    await expect(sharedVersionRange('compute', url, failing)).rejects.toThrow(
      '503',
    );
    const read = jest.fn(async () => doc('2.79'));
    expect((await sharedVersionRange('compute', url, read)).max).toBe('2.79');
    expect(read).toHaveBeenCalledTimes(1);
  });
});
