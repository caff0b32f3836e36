package worker

import "fmt"

// EntrypointKind is the Registration kind of RPC entrypoints.
const EntrypointKind = "entrypoint"

// Entrypoint is an RPC entrypoint class registered on an App (the platform's
// WorkerEntrypoint): New builds an instance for one call from the worker's Env and the
// call's Context, whose Props are the binding's props (W-028).
type Entrypoint struct {
	New func(env any, ctx *Context) any
}

// RegisterEntrypoint registers T as the entrypoint name of app; a service binding with
// `"entrypoint": name` calls its methods (declared with Method). The name "default" is
// what bindings without an entrypoint reach.
func RegisterEntrypoint[E any, T any](app *App[E], name string, ctor func(env E, ctx *Context) T) {
	if ctor == nil {
		panic(fmt.Sprintf("worker.RegisterEntrypoint %q: nil constructor", name))
	}
	app.Register(Registration{Kind: EntrypointKind, Name: name, Value: Entrypoint{
		New: func(env any, ctx *Context) any { return ctor(env.(E), ctx) },
	}})
}
