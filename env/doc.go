// Package env reads a worker's configuration in the platform's own formats (wrangler.jsonc,
// wrangler.json, wrangler.toml), its local secrets (.dev.vars, .env files), and builds the
// typed Env struct a worker declares.
//
// Config files are read as they are: JSONC comments and trailing commas are accepted; TOML
// is decoded into the same structure. `[env.NAME]` sections are selected with Environment;
// as on the platform, bindings and vars are not inherited from the top level (W-003),
// while keys such as compatibility_date, limits and triggers are. Keys this package does not
// know are reported as warnings (Config.Warnings), never as errors, so a config written for
// a newer platform release still loads. A malformed file is an error naming the file, line
// and column.
//
// Secrets follow the platform's local precedence (W-004): when `.dev.vars` (or
// `.dev.vars.<env>`) exists only it is read; otherwise `.env` files merge as
// `.env.<env>.local` > `.env.local` > `.env.<env>` > `.env`. With `secrets.required` in the
// config only the listed keys are kept and missing ones are warned about (W-005).
//
// The Env struct: every field tagged `binding:"NAME"` is filled once, at start-up. Strings
// and JSON-typed fields come from vars (W-002), Secret fields from secrets, and binding
// types (KV namespaces, databases, …) from the Resolve function the runner supplies. Load
// returns one *LoadError naming every missing or mistyped binding, not just the first.
// A field tagged `binding:"NAME,optional"` stays zero when NAME is not configured.
package env
