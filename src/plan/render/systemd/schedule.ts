// A stack file's "every: 4h" as timer settings. Intervals that divide a day become wall-clock
// OnCalendar= (so Persistent= catches up a run missed while the host was down); the rest
// (90m, 5h, 2d) cannot be said in calendar syntax and run on a monotonic interval instead.

export interface Schedule {
  lines: string[];
  randomizedDelay: string;
}

const DAY = 24 * 60;

export function minutesOf(every: string): number {
  const m = /^([1-9]\d*)(m|h|d)$/.exec(every);
  if (!m) throw new Error(`not a duration: ${every} (expected e.g. 30m, 4h, 1d)`);
  const n = Number(m[1]);
  return m[2] === "m" ? n : m[2] === "h" ? n * 60 : n * DAY;
}

const pad = (n: number) => String(n).padStart(2, "0");

export function scheduleFor(every: string): Schedule {
  const minutes = minutesOf(every);
  // Spread start times by up to a tenth of the interval, at most 15 minutes.
  const randomizedDelay = `${Math.max(1, Math.min(15, Math.floor(minutes / 10)))}min`;
  let calendar: string | undefined;
  if (minutes === DAY) calendar = "*-*-* 02:00:00";
  else if (minutes === 7 * DAY) calendar = "Sun *-*-* 02:00:00";
  else if (minutes < DAY && DAY % minutes === 0) {
    if (minutes % 60 === 0) calendar = `*-*-* 00/${minutes / 60}:00:00`;
    else if (minutes < 60 && 60 % minutes === 0) calendar = `*-*-* *:00/${pad(minutes)}:00`;
  }
  if (calendar) return { lines: [`OnCalendar=${calendar}`], randomizedDelay };
  return { lines: ["OnBootSec=15min", `OnUnitActiveSec=${minutes}min`], randomizedDelay };
}
