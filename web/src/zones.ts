// Marketplace-local days (issue 17): a day the page picks or shows is the
// marketplace's calendar day in the time zone the server's policy names
// (`/config.json`), computed with the browser's own IANA database.

/** Each marketplace's zone, as the server's policy profile names them. */
export interface TimeZones {
  default: string;
  marketplaces: Record<string, string>;
}

export const UTC_ZONES: TimeZones = { default: "UTC", marketplaces: {} };

/** The zone whose days `marketplace` counts in. */
export function zoneOf(zones: TimeZones, marketplace: string): string {
  return zones.marketplaces[marketplace] ?? zones.default;
}

/** The wall-clock fields of `at` in `zone`. */
export function wallClock(at: Date, zone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(at);
  const field = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: field("year"), month: field("month"), day: field("day"), hour: field("hour"), minute: field("minute"), second: field("second") };
}

/** The zone's offset from UTC at `at`, in milliseconds (east positive). */
function offsetMs(at: Date, zone: string): number {
  const wall = wallClock(at, zone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The last second (23:59:59) of the local day `day` (YYYY-MM-DD) in `zone`. */
export function endOfDay(day: string, zone: string): Date {
  const wall = Date.parse(`${day}T23:59:59Z`);
  // The offset at the guess, then again where that lands (a daylight-saving change between).
  const guess = wall - offsetMs(new Date(wall), zone);
  return new Date(wall - offsetMs(new Date(guess), zone));
}

/** `2026-06-30 23:59:59 America/Los_Angeles`: `at` on the zone's wall clock. */
export function localText(at: Date, zone: string): string {
  const w = wallClock(at, zone);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)} ${zone}`;
}
