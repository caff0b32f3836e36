// Package worker is the vocabulary of a flarego worker: the handler interfaces, the
// per-invocation *Context, the App that other packages register classes and consumers on,
// budgets, outbound fetch and short response helpers.
//
// A worker is a type with a Fetch method over an Env struct of bindings:
//
//	type Env struct {
//		Cache *kv.Namespace `binding:"CACHE"`
//		Mode  string        `binding:"MODE"`
//	}
//
//	type App struct{}
//
//	func (App) Fetch(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
//		return worker.Text(http.StatusOK, "Hello World")
//	}
//
//	func main() { host.Main(worker.New[Env](App{})) }
//
// A handler may also implement Scheduled (cron triggers). Durable Object classes, queue
// consumers and workflows are registered on the App by their own packages
// (durableobject.Register, queues.Consume, workflows.Register); the runner in package host
// finds them through App.Registrations.
//
// Every invocation gets a *Context. It is a context.Context whose deadline is the
// invocation's wall budget, and it adds WaitUntil (work that outlives the response, W-007…
// W-009), PassThroughOnException (W-010) and Logger. Binding calls and outbound fetches
// count against the invocation's subrequest budget through Subrequest (W-016).
// Context.Exports is the platform's ctx.exports (W-029): the worker's own entrypoints and
// Durable Object classes without bindings in the config.
// RequestCF gives a request's cf object (W-035): nobody measured the client locally, so it
// is a fixed one unless the runner was given another (--cf FILE) or the request carries
// its own (WithCF, for tests).
//
// CPU time is measured per invocation by locking the handler's goroutine to its OS thread
// for the duration of the call and reading that thread's CPU clock before and after
// (CLOCK_THREAD_CPUTIME_ID on Linux). It counts the work the handler's own goroutine did,
// including the binding calls it made inline, and excludes time spent waiting on I/O, as
// the platform does (W-014). Goroutines a handler starts itself are not counted. The cost is
// two clock reads per invocation and, while the handler blocks, a thread hand-off instead
// of a goroutine switch. On systems without a thread clock CPU time reads as zero.
package worker
