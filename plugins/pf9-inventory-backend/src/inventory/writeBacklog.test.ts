import { WriteBacklog } from './writeBacklog';

describe('WriteBacklog', () => {
  it('lets requests through within the limit and holds them above it until writes drain', async () => {
    const backlog = new WriteBacklog(10);
    backlog.added(10);
    await backlog.room(); // at the limit: no wait

    backlog.added(5);
    let resumed = 0;
    const waiting = [backlog.room(), backlog.room()].map(p =>
      p.then(() => resumed++),
    );
    await new Promise(r => setImmediate(r));
    expect(resumed).toBe(0);

    backlog.written(3); // 12: still above
    await new Promise(r => setImmediate(r));
    expect(resumed).toBe(0);

    backlog.written(2); // 10: within
    await Promise.all(waiting);
    expect(resumed).toBe(2);
    expect(backlog.size).toBe(10);
  });
});
