import {
  isValidTimezone,
  latestClosedPeriod,
  latestStartedPeriod,
  openWindow,
  periodAt,
  PolicySchedule,
  resolveLocal,
} from './schedule';

const at = (iso: string) => new Date(iso);
const daily = (
  windowStart: string,
  timezone: string,
  windowHours = 24,
): PolicySchedule => ({
  frequency: 'daily',
  windowStart,
  windowHours,
  timezone,
});

describe('resolveLocal (SNAP-2 DST rules)', () => {
  it.each([
    // Berlin spring-forward 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z)
    ['Europe/Berlin', '2026-03-29 02:30', '2026-03-29T01:00:00.000Z'],
    ['Europe/Berlin', '2026-03-29 02:00', '2026-03-29T01:00:00.000Z'],
    ['Europe/Berlin', '2026-03-29 01:59', '2026-03-29T00:59:00.000Z'],
    ['Europe/Berlin', '2026-03-29 03:00', '2026-03-29T01:00:00.000Z'],
    ['Europe/Berlin', '2026-03-29 03:30', '2026-03-29T01:30:00.000Z'],
    // Berlin fall-back 2026-10-25: 03:00 CEST goes back to 02:00 CET (01:00Z); 02:xx happens twice
    ['Europe/Berlin', '2026-10-25 02:30', '2026-10-25T00:30:00.000Z'],
    ['Europe/Berlin', '2026-10-25 02:00', '2026-10-25T00:00:00.000Z'],
    ['Europe/Berlin', '2026-10-25 03:00', '2026-10-25T02:00:00.000Z'],
    ['Europe/Berlin', '2026-10-25 01:30', '2026-10-24T23:30:00.000Z'],
    // Auckland: NZDT ends 2026-04-05 03:00 → 02:00 (14:00Z), starts 2026-09-27 02:00 → 03:00 (14:00Z)
    ['Pacific/Auckland', '2026-04-05 02:30', '2026-04-04T13:30:00.000Z'],
    ['Pacific/Auckland', '2026-09-27 02:15', '2026-09-26T14:00:00.000Z'],
    ['Pacific/Auckland', '2026-09-27 03:15', '2026-09-26T14:15:00.000Z'],
    ['UTC', '2026-03-29 02:30', '2026-03-29T02:30:00.000Z'],
  ])('%s %s → %s', (zone, local, expected) => {
    const [date, time] = local.split(' ');
    const [year, month, day] = date.split('-').map(Number);
    const [hour, minute] = time.split(':').map(Number);
    expect(
      resolveLocal({ year, month, day, hour, minute }, zone).toISOString(),
    ).toBe(expected);
  });
});

describe('daily windows across DST', () => {
  it('Berlin spring-forward: a window starting in the gap opens at the transition and lasts elapsed hours', () => {
    const s = daily('02:30', 'Europe/Berlin', 4);
    const p = periodAt(s, at('2026-03-29T12:00:00Z'));
    expect(p.key).toBe('2026-03-29');
    expect(p.windowStart.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(p.windowEnd.toISOString()).toBe('2026-03-29T05:00:00.000Z');
    // the local day is 23 hours long
    expect(p.periodStart.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(p.periodEnd.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(openWindow(s, at('2026-03-29T00:59:59Z'))).toBeUndefined();
    expect(openWindow(s, at('2026-03-29T01:00:00Z'))?.key).toBe('2026-03-29');
    expect(openWindow(s, at('2026-03-29T04:59:59Z'))?.key).toBe('2026-03-29');
    expect(openWindow(s, at('2026-03-29T05:00:00Z'))).toBeUndefined();
  });

  it('Berlin fall-back: a window starting in the repeated hour uses its first occurrence', () => {
    const s = daily('02:30', 'Europe/Berlin', 2);
    const p = periodAt(s, at('2026-10-25T12:00:00Z'));
    expect(p.key).toBe('2026-10-25');
    expect(p.windowStart.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(p.windowEnd.toISOString()).toBe('2026-10-25T02:30:00.000Z');
    // the local day is 25 hours long
    expect(p.periodEnd.getTime() - p.periodStart.getTime()).toBe(25 * 3600_000);
    // the second 02:30 (01:30Z) is still inside the same window
    expect(openWindow(s, at('2026-10-25T01:30:00Z'))?.key).toBe('2026-10-25');
  });

  it('Pacific/Auckland: keys follow the local date, a day ahead of UTC', () => {
    const s = daily('01:00', 'Pacific/Auckland', 6);
    // 2026-06-10T14:00Z is 02:00 on 11 June in NZST (+12)
    const p = periodAt(s, at('2026-06-10T14:00:00Z'));
    expect(p.key).toBe('2026-06-11');
    expect(p.windowStart.toISOString()).toBe('2026-06-10T13:00:00.000Z');
    expect(openWindow(s, at('2026-06-10T14:00:00Z'))?.key).toBe('2026-06-11');
    // NZDT start day: 02:00 → 03:00 on 2026-09-27; a 02:30 window starts at 14:00Z
    const gap = periodAt(
      daily('02:30', 'Pacific/Auckland'),
      at('2026-09-27T00:00:00Z'),
    );
    expect(gap.key).toBe('2026-09-27');
    expect(gap.windowStart.toISOString()).toBe('2026-09-26T14:00:00.000Z');
  });

  it('a window reaching past midnight belongs to the period it opened in', () => {
    const s = daily('23:00', 'UTC', 4);
    expect(openWindow(s, at('2026-11-27T01:00:00Z'))?.key).toBe('2026-11-26');
    expect(openWindow(s, at('2026-11-27T03:00:00Z'))).toBeUndefined();
  });
});

describe('weekly and monthly periods', () => {
  it('weekly keys are ISO weeks; the window opens on the ISO day of week', () => {
    const s: PolicySchedule = {
      frequency: 'weekly',
      dayOfWeek: 7,
      windowStart: '22:00',
      windowHours: 48,
      timezone: 'UTC',
    };
    // 2026-12-31 is a Thursday in ISO week 2026-W53; 2027-01-01 too
    expect(periodAt(s, at('2027-01-01T10:00:00Z')).key).toBe('2026-W53');
    expect(periodAt(s, at('2027-01-04T10:00:00Z')).key).toBe('2027-W01');
    // 2026-01-01 (Thursday) belongs to 2026-W01 (which starts Monday 2025-12-29)
    const p = periodAt(s, at('2026-01-01T00:00:00Z'));
    expect(p.key).toBe('2026-W01');
    expect(p.periodStart.toISOString()).toBe('2025-12-29T00:00:00.000Z');
    expect(p.windowStart.toISOString()).toBe('2026-01-04T22:00:00.000Z');
    // the window reaches into the next week and still belongs to W01
    expect(openWindow(s, at('2026-01-06T10:00:00Z'))?.key).toBe('2026-W01');
  });

  it('monthly dayOfMonth 31 means the last day of February', () => {
    const s: PolicySchedule = {
      frequency: 'monthly',
      dayOfMonth: 31,
      windowStart: '00:00',
      windowHours: 72,
      timezone: 'Europe/Berlin',
    };
    const feb = periodAt(s, at('2026-02-10T00:00:00Z'));
    expect(feb.key).toBe('2026-02');
    expect(feb.windowStart.toISOString()).toBe('2026-02-27T23:00:00.000Z');
    // 2028 is a leap year
    expect(
      periodAt(s, at('2028-02-10T00:00:00Z')).windowStart.toISOString(),
    ).toBe('2028-02-28T23:00:00.000Z');
    // April has 30 days (CEST, +2)
    expect(
      periodAt(s, at('2026-04-10T00:00:00Z')).windowStart.toISOString(),
    ).toBe('2026-04-29T22:00:00.000Z');
    // the window of February reaches into March and still belongs to February
    expect(openWindow(s, at('2026-03-01T12:00:00Z'))?.key).toBe('2026-02');
  });
});

describe('latest closed and latest started periods (CMP-1, SNAP-3)', () => {
  const monthly1st: PolicySchedule = {
    frequency: 'monthly',
    dayOfMonth: 1,
    windowStart: '00:00',
    windowHours: 72,
    timezone: 'UTC',
  };

  it('a monthly policy has a closed period for the whole month after its window', () => {
    expect(latestClosedPeriod(monthly1st, at('2026-11-26T08:00:00Z')).key).toBe(
      '2026-11',
    );
    // inside November's window, Pc is October
    expect(latestClosedPeriod(monthly1st, at('2026-11-02T08:00:00Z')).key).toBe(
      '2026-10',
    );
    // exactly at the window end, the period counts as closed
    expect(latestClosedPeriod(monthly1st, at('2026-11-04T00:00:00Z')).key).toBe(
      '2026-11',
    );
  });

  it('a daily window that is open makes yesterday the latest closed period', () => {
    const s = daily('00:00', 'UTC');
    expect(latestClosedPeriod(s, at('2026-11-26T08:00:00Z')).key).toBe(
      '2026-11-25',
    );
    expect(latestStartedPeriod(s, at('2026-11-26T08:00:00Z')).key).toBe(
      '2026-11-26',
    );
  });

  it('catch-up picks the latest period whose window already started', () => {
    const s = daily('12:00', 'UTC', 2);
    expect(latestStartedPeriod(s, at('2026-11-26T08:00:00Z')).key).toBe(
      '2026-11-25',
    );
    expect(latestStartedPeriod(s, at('2026-11-26T15:00:00Z')).key).toBe(
      '2026-11-26',
    );
    expect(openWindow(s, at('2026-11-26T15:00:00Z'))).toBeUndefined();
  });

  it('validates IANA zones', () => {
    expect(isValidTimezone('Europe/Berlin')).toBe(true);
    expect(isValidTimezone('Mars/Olympus')).toBe(false);
  });
});
