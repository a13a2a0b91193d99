// Date and time labels for the message list, in the viewer's local time zone. Pure: the current
// time is a parameter, and nothing here touches the DOM.
//
// Separators read "Today", "Yesterday", the weekday for the rest of the last week, then a full
// date. Days are calendar days in local time, so 23:59 yesterday is "Yesterday" even one minute
// later, and DST days of 23 or 25 hours count as one day.

const DAY_MS = 24 * 60 * 60 * 1000;

// Calendar-day index of a local date: its local year/month/day read as a UTC date, so the
// difference of two indices is an exact number of days whatever the time zone does.
function localDayNumber(date) {
  return Math.floor(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()) / DAY_MS);
}

// Whole calendar days from `ts` to `now` (0 = same day, 1 = yesterday, negative = future).
export function daysAgo(ts, now = Date.now()) {
  return localDayNumber(new Date(now)) - localDayNumber(new Date(ts));
}

// "2025-03-09": a stable key for grouping messages by local day.
export function dayKey(ts) {
  const d = new Date(ts);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// Intl.DateTimeFormat objects are costly to make: one per (kind, locale), made on first use.
const FORMATS = {
  weekday: { weekday: 'long' },
  full: { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' },
  time: { hour: '2-digit', minute: '2-digit' },
  stamp: { dateStyle: 'full', timeStyle: 'medium' },
};
const formatters = new Map();

export function formatter(kind, locale = undefined) {
  const key = `${kind}|${locale ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, FORMATS[kind]);
    formatters.set(key, f);
  }
  return f;
}

export function dayLabel(ts, now = Date.now(), locale = undefined) {
  const days = daysAgo(ts, now);
  // A server clock slightly ahead of ours must not produce "tomorrow".
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return formatter(days < 7 ? 'weekday' : 'full', locale).format(new Date(ts));
}

// "14:05" (or "2:05 PM", as the locale prefers).
export function timeLabel(ts, locale = undefined) {
  return formatter('time', locale).format(new Date(ts));
}

// Full date and time for a tooltip.
export function fullTimestamp(ts, locale = undefined) {
  return formatter('stamp', locale).format(new Date(ts));
}
