/** Short English month names: the same words on every machine, whatever its locale. */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const two = (n: number) => String(n).padStart(2, '0');

/** Local midnight of the day holding `ms`. */
function dayStart(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/**
 * A moment in local time, as short as it can be read: "today 14:02", "yesterday 09:15",
 * "tomorrow 08:00", "3 Nov 09:15", or with the year when it is not this year's ("3 Nov 2025 09:15").
 */
export function formatWhen(ms: number, now: number = Date.now()): string {
  const date = new Date(ms);
  const time = `${two(date.getHours())}:${two(date.getMinutes())}`;
  // Days apart in the calendar, rounded because a daylight-saving day is 23 or 25 hours long.
  const days = Math.round((dayStart(ms) - dayStart(now)) / DAY);
  if (days === 0) return `today ${time}`;
  if (days === -1) return `yesterday ${time}`;
  if (days === 1) return `tomorrow ${time}`;
  const year = date.getFullYear() === new Date(now).getFullYear() ? '' : ` ${date.getFullYear()}`;
  return `${date.getDate()} ${MONTHS[date.getMonth()]}${year} ${time}`;
}

/**
 * A length of time in rough words, for an ETA or a wait: "less than a minute", "about 2 min",
 * "about 1 h 20 min", "about 3 days".
 */
export function formatDuration(ms: number): string {
  if (ms < MINUTE) return 'less than a minute';
  if (ms < HOUR) return `about ${Math.round(ms / MINUTE)} min`;
  if (ms < DAY) {
    const hours = Math.floor(ms / HOUR);
    const minutes = Math.round((ms - hours * HOUR) / MINUTE);
    if (minutes === 60) return `about ${hours + 1} h`;
    return minutes === 0 ? `about ${hours} h` : `about ${hours} h ${minutes} min`;
  }
  const days = Math.round(ms / DAY);
  return `about ${days} ${days === 1 ? 'day' : 'days'}`;
}

/** A count with thousands separated by commas ("12,345"), the same in every locale. */
export function formatCount(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.trunc(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
