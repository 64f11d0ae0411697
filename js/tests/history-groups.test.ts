import assert from "node:assert/strict";
import { test } from "node:test";
import {
  activityOf,
  groupOf,
  matches,
  queryTerms,
  searchable,
  timeOf,
} from "../src/ui/history-groups";

test("date groups follow local calendar days: today, yesterday, the 7 days before, older", () => {
  const now = new Date(2026, 10, 26, 15, 0, 0);
  const at = (day: number, hour = 0, minute = 0) => new Date(2026, 10, day, hour, minute).getTime();
  assert.equal(groupOf(at(26, 0, 0), now), "today", "midnight starts today");
  assert.equal(groupOf(now.getTime(), now), "today");
  assert.equal(groupOf(at(27, 9), now), "today", "a clock ahead of this one");
  assert.equal(groupOf(at(25, 23, 59), now), "yesterday");
  assert.equal(groupOf(at(25, 0, 0), now), "yesterday");
  assert.equal(groupOf(at(24, 23, 59), now), "week");
  assert.equal(groupOf(at(19, 0, 0), now), "week", "a week before today's midnight");
  assert.equal(groupOf(at(18, 23, 59), now), "older");
  assert.equal(groupOf(Number.NEGATIVE_INFINITY, now), "older", "an unknown time");
  // Across a month's start, by the calendar, not by 24-hour steps.
  const first = new Date(2026, 11, 1, 8, 0);
  assert.equal(groupOf(new Date(2026, 10, 30, 22, 0).getTime(), first), "yesterday");
  assert.equal(groupOf(new Date(2026, 10, 24, 1, 0).getTime(), first), "week");
});

test("activity is the backend's updated_at, else created_at; bad times sort last", () => {
  const created = "2026-11-01T10:00:00";
  assert.equal(activityOf({ id: "a", created_at: created }), created);
  assert.equal(
    activityOf({ id: "a", created_at: created, updated_at: "2026-11-20T09:00:00" }),
    "2026-11-20T09:00:00",
  );
  assert.equal(timeOf(created), new Date(2026, 10, 1, 10).getTime(), "no offset: local time");
  assert.equal(timeOf("not a time"), Number.NEGATIVE_INFINITY);
  assert.equal(timeOf(undefined), Number.NEGATIVE_INFINITY);
});

test("search ignores case and accents and finds every word in any order", () => {
  assert.equal(searchable("Café CRÈME Ångström"), "cafe creme angstrom");
  const terms = queryTerms("  resume   SALES ");
  assert.deepEqual(terms, ["resume", "sales"]);
  assert.equal(matches("Sales résumé for Q3", terms), true);
  assert.equal(matches("Résumé draft", terms), false, "every word must be there");
  assert.equal(matches("anything", queryTerms("   ")), true, "a blank query hides nothing");
  assert.equal(matches("Plot sales by region", queryTerms("les by")), true, "inside words");
});
