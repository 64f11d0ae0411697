// What History computes from a thread, without the DOM: its activity time, the date group it
// falls in, how long ago that was, and whether its title matches a search.
import type { Thread } from "../chatkit/types";

export type GroupKey = "today" | "yesterday" | "week" | "older";

/** The date groups, newest first, with their headings. */
export const GROUPS: ReadonlyArray<{ key: GroupKey; label: string }> = [
  { key: "today", label: "Today" },
  { key: "yesterday", label: "Yesterday" },
  { key: "week", label: "Previous 7 days" },
  { key: "older", label: "Older" },
];

/**
 * When the thread last saw activity (ISO 8601): `updated_at` where the backend gives it (the
 * in-process backends: its newest item), else `created_at` (any ChatKit server).
 */
export function activityOf(thread: Thread): string | undefined {
  return thread.updated_at || thread.created_at;
}

/** The thread used last (threads are listed by creation: a continued old one is not first). */
export function mostRecentlyActive(threads: readonly Thread[]): Thread | undefined {
  let best: Thread | undefined;
  for (const thread of threads) {
    if (!best || timeOf(activityOf(thread)) > timeOf(activityOf(best))) best = thread;
  }
  return best;
}

/** An ISO time in ms; a missing or unreadable one sorts last (-Infinity). */
export function timeOf(iso: string | undefined): number {
  const time = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

/** Local midnight `days` days before `now`'s day. */
function midnight(now: Date, days = 0): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - days).getTime();
}

/**
 * The group of a time, by local calendar days: "Previous 7 days" runs from the day before
 * yesterday back to a week before today. A time ahead of this clock (another machine's) is
 * today; an unknown one is older.
 */
export function groupOf(time: number, now = new Date()): GroupKey {
  if (time >= midnight(now)) return "today";
  if (time >= midnight(now, 1)) return "yesterday";
  if (time >= midnight(now, 7)) return "week";
  return "older";
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** "just now", "5 min ago", "3 h ago" (today), "yesterday", else a short date. */
export function relativeTime(iso: string | undefined, now = new Date()): string {
  const time = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(time)) return "";
  const ago = now.getTime() - time;
  if (ago < MINUTE) return "just now"; // a clock slightly ahead of this one too
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (time >= midnight(now)) return `${Math.floor(ago / HOUR)} h ago`;
  if (time >= midnight(now, 1)) return "yesterday";
  const date = new Date(time);
  return date.toLocaleDateString(undefined, {
    month: "short",
    day: "numeric",
    year: date.getFullYear() === now.getFullYear() ? undefined : "numeric",
  });
}

/** Text as search compares it: lower case, accents off ("Café" and "cafe" match). */
export function searchable(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase();
}

/** The words of a query, as `searchable` text; none for a blank query. */
export function queryTerms(query: string): string[] {
  return searchable(query).split(/\s+/).filter(Boolean);
}

/** Whether a title holds every word of the query, anywhere and in any order. */
export function matches(title: string, terms: readonly string[]): boolean {
  const text = searchable(title);
  return terms.every((term) => text.includes(term));
}
