package worker

import (
	"errors"
)

// ErrNoExports is returned by Exports' methods in an invocation the runner gave no exports
// (a Context made by NewContext without ContextOptions.Exports, as in unit tests).
var ErrNoExports = errors.New("worker: this invocation has no ctx.exports")

// ExportsSource is what a runner gives an invocation for Context.Exports: the invoked
// worker's own entrypoints and Durable Object namespaces.
type ExportsSource interface {
	// Entrypoint returns a loopback service binding to the worker's entrypoint name
	// ("default": its fetch handler and default entrypoint).
	Entrypoint(name string) (*Service, error)
	// Namespace returns the runtime handle of the worker's Durable Object class; package
	// durableobject makes the typed binding from it.
	Namespace(class string) (any, error)
}

// Exports is the platform's ctx.exports (W-029): a loopback service binding for each of the
// worker's own entrypoints, and a namespace for each of its Durable Object classes, without
// declaring bindings for them in the config. The runner gives exports to the invocations
// it starts (fetch, scheduled, service calls, queue batches, Durable Object events and
// workflow runs). The zero value answers ErrNoExports.
type Exports struct{ src ExportsSource }

// Exports returns the invocation's exports.
func (c *Context) Exports() Exports { return Exports{c.inv.exports} }

// Service returns a service binding to this worker's entrypoint name; "default" reaches its
// fetch handler and its default entrypoint. Calls through it are ordinary service calls:
// a subrequest each, one level of nesting.
func (x Exports) Service(entrypoint string) (*Service, error) {
	if x.src == nil {
		return nil, ErrNoExports
	}
	return x.src.Entrypoint(entrypoint)
}

// Namespace returns the runtime handle of this worker's Durable Object class; use
// durableobject.Exported for the typed namespace.
func (x Exports) Namespace(class string) (any, error) {
	if x.src == nil {
		return nil, ErrNoExports
	}
	return x.src.Namespace(class)
}
