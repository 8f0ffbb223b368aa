// Times for people: the reader's local time with its UTC offset, so a time read in one
// zone means the same instant in another (`2026-12-02 09:14:03 +0100`). JSON keeps UTC.

const formats = new Map<string, Intl.DateTimeFormat>();

/** The formatter for time zone `zone` (an IANA name such as `Europe/Amsterdam`); the process's own when absent or unknown to ICU. */
function formatter(zone: string | undefined): Intl.DateTimeFormat {
  const key = zone ?? '';
  let format = formats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset' };
    try {
      format = new Intl.DateTimeFormat('en-US', { ...options, timeZone: zone?.replace(/^:/, '') || undefined });
    } catch {
      // A POSIX TZ string (`CET-1CEST`) that ICU cannot name: the zone Node took from TZ at start.
      format = new Intl.DateTimeFormat('en-US', options);
    }
    formats.set(key, format);
  }
  return format;
}

/**
 * `2026-12-02 09:14:03 +0100`: `date` in time zone `zone` (pass the command's `TZ`; the
 * process's zone when absent), with the offset as `date -R` and git print it.
 */
export function localTime(date: Date, zone?: string): string {
  const parts = Object.fromEntries(formatter(zone).formatToParts(date).map((part) => [part.type, part.value]));
  // `GMT+01:00`, `GMT-09:30`, or `GMT` for UTC itself.
  const offset = /^GMT([+-])(\d\d):(\d\d)$/.exec(parts.timeZoneName ?? '');
  const zoneOffset = offset ? `${offset[1]}${offset[2]}${offset[3]}` : '+0000';
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${zoneOffset}`;
}
