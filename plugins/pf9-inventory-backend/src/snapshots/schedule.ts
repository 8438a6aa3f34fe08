/**
 * Policy schedules (SPEC SNAP-2, SNAP-4, PIT-16): period keys, windows and their DST behaviour, all in
 * the policy's IANA timezone. Server-local time is never used: every input and output is an instant
 * (a `Date`, UTC), and local wall-clock times exist only inside this file.
 */
import { DateTime } from 'luxon';

export type Frequency = 'daily' | 'weekly' | 'monthly';

/** The schedule fields of a policy (SNAP-1). */
export interface PolicySchedule {
  frequency: Frequency;
  /** ISO 1 (Monday) – 7 (Sunday); weekly only */
  dayOfWeek?: number | null;
  /** 1–31; monthly only; past the month's end means its last day */
  dayOfMonth?: number | null;
  /** local wall-clock `HH:MM` */
  windowStart: string;
  /** elapsed hours */
  windowHours: number;
  timezone: string;
}

/** One occurrence of a schedule: its key, the local bounds of the period and its window. */
export interface Period {
  key: string;
  /** first instant of the period (local midnight of its first day, DST-resolved) */
  periodStart: Date;
  /** first instant of the next period */
  periodEnd: Date;
  windowStart: Date;
  /** windowStart + windowHours of elapsed time */
  windowEnd: Date;
}

/** Default window length per frequency (SNAP-1). */
export const DEFAULT_WINDOW_HOURS: Record<Frequency, number> = {
  daily: 24,
  weekly: 48,
  monthly: 72,
};

/**
 * The longest window allowed per frequency: the shortest period length (a day, a week, February).
 * Careful-operator choice: a monthly window may not exceed 28 days, so no window ever reaches into the
 * window of the period after it.
 */
export const MAX_WINDOW_HOURS: Record<Frequency, number> = {
  daily: 24,
  weekly: 168,
  monthly: 28 * 24,
};

export function isValidTimezone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The zone's UTC offset in minutes at an instant. */
function offsetAt(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).offset;
}

/**
 * The instant of a local wall-clock time in a zone (SNAP-2):
 * - a time that exists once is that instant;
 * - a time in a repeated hour (fall-back) is its first occurrence;
 * - a time in a gap (spring-forward) is the first valid instant after it, i.e. the transition itself.
 * Formally: the earliest instant whose local wall-clock time is at or after the requested one.
 */
export function resolveLocal(local: LocalTime, zone: string): Date {
  const naive = Date.UTC(
    local.year,
    local.month - 1,
    local.day,
    local.hour,
    local.minute,
  );
  const day = 86_400_000;
  const offsets = new Set<number>([
    offsetAt(naive - day, zone),
    offsetAt(naive, zone),
    offsetAt(naive + day, zone),
  ]);
  const valid = [...offsets]
    .map(o => naive - o * 60_000)
    .filter(t => naive - offsetAt(t, zone) * 60_000 === t)
    .sort((a, b) => a - b);
  if (valid.length) return new Date(valid[0]);
  // A gap: the transition lies between the candidate instants. Binary search (to the second) for the
  // earliest instant whose wall-clock time is at or after the requested one.
  const candidates = [...offsets].map(o => naive - o * 60_000);
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  const wallAt = (t: number) => t + offsetAt(t, zone) * 60_000;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (wallAt(mid) >= naive) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

function parseHHMM(value: string): { hour: number; minute: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!m) throw new Error(`invalid window start '${value}'`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** A local calendar date as luxon DateTime at midnight in the zone (only its date fields are used). */
type LocalDate = DateTime;

function startOfLocalDay(date: LocalDate, zone: string): Date {
  return resolveLocal(
    { year: date.year, month: date.month, day: date.day, hour: 0, minute: 0 },
    zone,
  );
}

/** The first local day of the period containing a local date. */
function periodFirstDay(date: LocalDate, frequency: Frequency): LocalDate {
  if (frequency === 'daily') return date.startOf('day');
  if (frequency === 'weekly') return date.startOf('week'); // luxon weeks are ISO (Monday)
  return date.startOf('month');
}

function nextPeriodFirstDay(first: LocalDate, frequency: Frequency): LocalDate {
  if (frequency === 'daily') return first.plus({ days: 1 });
  if (frequency === 'weekly') return first.plus({ weeks: 1 });
  return first.plus({ months: 1 });
}

function periodKeyOf(first: LocalDate, frequency: Frequency): string {
  if (frequency === 'daily') return first.toFormat('yyyy-MM-dd');
  if (frequency === 'weekly') return first.toFormat("kkkk-'W'WW");
  return first.toFormat('yyyy-MM');
}

/** The local day the window opens on, inside the period that starts on `first`. */
function dueDay(first: LocalDate, schedule: PolicySchedule): LocalDate {
  if (schedule.frequency === 'weekly') {
    return first.plus({ days: (schedule.dayOfWeek ?? 1) - 1 });
  }
  if (schedule.frequency === 'monthly') {
    const day = Math.min(schedule.dayOfMonth ?? 1, first.daysInMonth ?? 28);
    return first.set({ day });
  }
  return first;
}

function periodFrom(first: LocalDate, schedule: PolicySchedule): Period {
  const zone = schedule.timezone;
  const due = dueDay(first, schedule);
  const { hour, minute } = parseHHMM(schedule.windowStart);
  const windowStart = resolveLocal(
    { year: due.year, month: due.month, day: due.day, hour, minute },
    zone,
  );
  return {
    key: periodKeyOf(first, schedule.frequency),
    periodStart: startOfLocalDay(first, zone),
    periodEnd: startOfLocalDay(
      nextPeriodFirstDay(first, schedule.frequency),
      zone,
    ),
    windowStart,
    windowEnd: new Date(
      windowStart.getTime() + schedule.windowHours * 3600_000,
    ),
  };
}

/** The local calendar date of an instant in the zone, as a zone-less date (midnight, UTC-based). */
function localDate(at: Date, zone: string): LocalDate {
  const local = DateTime.fromJSDate(at, { zone });
  return DateTime.fromObject(
    { year: local.year, month: local.month, day: local.day },
    { zone: 'UTC' },
  );
}

/** The period whose local bounds contain the instant. */
export function periodAt(schedule: PolicySchedule, at: Date): Period {
  return periodFrom(
    periodFirstDay(localDate(at, schedule.timezone), schedule.frequency),
    schedule,
  );
}

const PERIOD_UNIT: Record<Frequency, 'days' | 'weeks' | 'months'> = {
  daily: 'days',
  weekly: 'weeks',
  monthly: 'months',
};

/** The period `n` periods after (or before, for negative n) the given one. */
function shifted(schedule: PolicySchedule, period: Period, n: number): Period {
  let first = periodFirstDay(
    localDate(period.periodStart, schedule.timezone),
    schedule.frequency,
  );
  const unit = PERIOD_UNIT[schedule.frequency];
  first = first.plus({ [unit]: n });
  return periodFrom(first, schedule);
}

/**
 * The period whose window is open at the instant, if any. A window may reach past its period's end
 * (e.g. a daily window opening at 23:00), so the previous period is checked too.
 */
export function openWindow(
  schedule: PolicySchedule,
  at: Date,
): Period | undefined {
  const current = periodAt(schedule, at);
  for (const p of [current, shifted(schedule, current, -1)]) {
    if (p.windowStart <= at && at < p.windowEnd) return p;
  }
  return undefined;
}

/** The latest period whose window has started at or before the instant (open or closed). */
export function latestStartedPeriod(
  schedule: PolicySchedule,
  at: Date,
): Period {
  const current = periodAt(schedule, at);
  return current.windowStart <= at ? current : shifted(schedule, current, -1);
}

/** CMP-1's `Pc`: the latest period whose window ended at or before the instant. */
export function latestClosedPeriod(schedule: PolicySchedule, at: Date): Period {
  let p = periodAt(schedule, at);
  while (p.windowEnd > at) p = shifted(schedule, p, -1);
  return p;
}
