// Package host is the runner: it reads a worker's config, opens its bindings on embedded
// storage, builds its Env, serves it over HTTP, fires its crons, queues, alarms and
// workflows, and offers the local tooling subcommands.
//
//	func main() { host.Main(worker.New[Env](App{})) }
//
// `go run .` serves on 127.0.0.1:8787. Flags: --config FILE (default: wrangler.jsonc,
// wrangler.json or wrangler.toml in the working directory), --env NAME, --ip, --port,
// --persist-to DIR (default .flarego/state beside the config), --no-persist (memory only),
// --log-level debug|info|warn|error, --strict-limits (the platform's production limits,
// X-003), --upstream URL (origin for PassThroughOnException, W-010), --no-crons, --cf FILE
// (a JSON request.cf object for incoming requests, W-035). The
// subcommands (`kv`, `d1`, `r2`, `queues`, `workflows`, `cron`, `durable-objects`,
// `vectorize` …) act on the persisted state by binding name; run `go run . help` for the
// list. They work while the runner is serving: they open the same SQLite files, which WAL
// and busy timeouts make safe to share. The exception is a Durable Object the runner has
// open, whose file it holds locked: `durable-objects show` and `delete` go through the runner
// at --ip/--port (a local endpoint under /cdn-cgi/local/durable-objects/) when it serves the
// same state, and to the files otherwise. Main sets the process's GOGC to 200 unless the
// environment sets GOGC: the runner's live heap is small, so fewer collections buy CPU for
// a few MiB of memory. Listening on an address other than loopback (--ip), the runner gives
// a client 30 s to send a request's headers; on loopback it sets no such timer.
//
// # Persistence layout
//
// Everything lives under the persist directory (default `.flarego/state` beside the
// config), one folder per binding kind and one SQLite file per namespace, database or
// object, so that a user can find, copy and back up their data:
//
//	.flarego/state/
//	  kv/<sha256 of namespace id>.sqlite   one database per KV namespace id
//	  d1/<database id>.sqlite              one database per D1 database id, and its
//	                                       time-travel history beside it
//	  r2/<bucket>/index.sqlite, blobs/     a bucket's index and its object files
//	  do/<namespace>/index.sqlite, <id>.sqlite
//	                                       a namespace's alarm index and one database per object
//	  queues/queues.sqlite                 every queue, shared by every process on the folder
//	  workflows/<workflow name>.sqlite     instances, steps and events of a workflow
//	  vectorize/catalog.sqlite, <index>/   the index list, and each index's vectors and graph
//	  services/<worker>.json               where running runners serve their workers
//
// Names that are not safe as file names are hashed by the owning package. Two runners
// started on the same directory share all of it; with --no-persist every binding is
// in memory and private to the process (X-001, W-037).
//
// Storage opens in the background, one file at a time under Main: the runner listens as
// soon as the config is read and the Env built (an unwritable persist directory is still an
// error at start), and a binding's first call waits for its file. A file that cannot be
// opened is logged, and every call on that binding returns why.
//
// # Requests
//
// Every request gets CF-Connecting-IP when it has none (W-033), is checked against the URL,
// header and body limits (414, 431, 413; W-018), and runs the worker's Fetch with its CPU
// time measured (package worker documents how). A returned error or a panic becomes a 500:
// an HTML page when Accept asks for HTML, else the error as text (W-011, W-013); with
// PassThroughOnException and --upstream the request goes to the upstream instead (W-010).
// WaitUntil work runs after the response, up to 30 s (W-007…W-009). Paths under /cdn-cgi/
// are the runner's own local endpoints and are refused for non-local Host headers (W-036).
// One structured log line per invocation records handler kind, method, path, status, wall
// ms, CPU ms and subrequests.
//
// # Cron triggers
//
// The config's triggers.crons fire on schedule by themselves (the platform's local tools
// never fire them; --no-crons turns this off), in UTC, once per tick, with ScheduledEvent.Cron
// equal to the configured string and ScheduledTime the tick's time, under a 15-minute wall
// budget. A tick that fell while the runner was not running is not replayed: after a
// restart the first tick is the first one due after start. By hand: GET /__scheduled?cron=…
// (answers "Ran scheduled event"), /cdn-cgi/handler/scheduled or /cdn-cgi/local/scheduled
// with ?cron=, ?time=EPOCH_MS and ?format=json (answers the outcome), and the subcommand
// `cron trigger "EXPR"`, which uses the running runner when one answers on the port. The
// favicon request a browser sends after opening /__scheduled gets a 404 rather than the
// worker's 500 (CR-013). CR-011's limits are the account's (how many triggers, how fast
// changes propagate) and do not apply here: every configured trigger fires, and a scheduled
// invocation's CPU budget is the config's limits, not the production figure that depends on
// how often the schedule runs.
//
// # Shutdown
//
// SIGINT or SIGTERM stops accepting connections, lets requests in flight finish and
// WaitUntil work run (up to 35 s: the platform's 30 s grace, W-021, and a margin), then
// closes storage.
//
// # Not applicable
//
// W-015 (128 MB per isolate, requests cancelled over it): a Go worker runs in the runner's
// process, with no isolate whose memory could be counted apart. W-019 (script size and 1 s
// start-up limits): nothing is uploaded; the worker is a compiled program. W-038 (in-memory
// storage surviving an option reload): the runner has no reload within a process; a change
// is a rebuild and a new process, and persisted state survives that.
package host
