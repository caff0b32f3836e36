// Package cron parses the platform's cron expressions and computes when they fire.
//
// The syntax is the platform's (CR-001…CR-006): five fields — minute (0–59), hour (0–23),
// day of month (1–31), month (1–12 or JAN–DEC) and day of week (1–7 or SUN–SAT, where
// 1 is Sunday: `mon-fri` is `2-6`, and `0` is not a day) — each with `*`, lists (`,`),
// ranges (`-`) and steps (`/`); names are case-insensitive. Day of month also takes `L`
// (the last day), `LW` (the last weekday) and `nW` (the weekday nearest the n-th, within
// the month); day of week takes `nL` / `FRIL` (the last such day of the month) and `n#k`
// (the k-th such day). `?` is accepted as `*` in the two day fields. When both day fields
// are restricted a day matches if either matches, as in classic cron. Everything is UTC.
//
// No library covers exactly this syntax (the platform numbers days of the week from 1 and
// accepts `LW`), so the parser is written here; it is small, and every form is checked
// against the platform's documented examples in the tests.
//
// Anything else is a *SyntaxError naming the expression, the field and what is wrong.
package cron
