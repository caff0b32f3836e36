package workflows

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/flarego/flarego/worker"
)

// RegistrationKind is the worker.Registration Kind of a workflow class.
const RegistrationKind = "workflow"

// RunFunc is a workflow's body: the platform's WorkflowEntrypoint.run. It receives the
// instance's event, the step API, the worker's Env and an invocation context, and returns
// the instance's output (kept as JSON) or an error (the instance ends errored).
//
// RunFunc is called again from the top every time the instance continues: after a sleep,
// an event, a retry delay, a resume or a process restart. Completed steps then return their
// stored results without running again, so all side effects belong inside Do callbacks.
type RunFunc[E, P, O any] func(ev Event[P], step *Step, env E, ctx *worker.Context) (O, error)

// Definition is a workflow class closed over its Env type: what Register records on the
// App and what Engine.Start runs. Make one with Register or NewDefinition.
type Definition struct {
	className string
	envType   reflect.Type
	params    reflect.Type
	output    reflect.Type
	bind      func(env any) (runner, error)
}

// runner is a Definition bound to an Env: it decodes the params, calls run and encodes its
// output.
type runner func(ctx *worker.Context, meta eventMeta, params []byte, step *Step) ([]byte, error)

type eventMeta struct {
	instanceID   string
	workflowName string
	created      time.Time
}

// NewDefinition makes a Definition without an App (tests, tools). It panics when className
// is empty or run is nil, which are programming errors.
func NewDefinition[E, P, O any](className string, run RunFunc[E, P, O]) *Definition {
	if className == "" {
		panic("workflows: empty class name")
	}
	if run == nil {
		panic(fmt.Sprintf("workflows: nil run function for class %q", className))
	}
	return &Definition{
		className: className,
		envType:   reflect.TypeFor[E](),
		params:    reflect.TypeFor[P](),
		output:    reflect.TypeFor[O](),
		bind: func(env any) (runner, error) {
			var e E
			switch v := env.(type) {
			case E:
				e = v
			case *E:
				e = *v
			default:
				return nil, fmt.Errorf("workflows: class %q: env is %T, want %v", className, env, reflect.TypeFor[E]())
			}
			return func(ctx *worker.Context, meta eventMeta, params []byte, step *Step) ([]byte, error) {
				ev := Event[P]{Timestamp: meta.created, InstanceID: meta.instanceID, WorkflowName: meta.workflowName}
				if len(params) > 0 {
					if err := json.Unmarshal(params, &ev.Payload); err != nil {
						return nil, &Error{Name: NameError, Message: fmt.Sprintf("cannot decode params as %v: %v", reflect.TypeFor[P](), err)}
					}
				}
				out, err := run(ev, step, e, ctx)
				if err != nil {
					return nil, err
				}
				b, err := marshal(out)
				if err != nil {
					return nil, &Error{Name: NameError, Message: fmt.Sprintf("The value returned by the Workflow instance is not serialisable: %v", err)}
				}
				return b, nil
			}, nil
		},
	}
}

// Register records a workflow class on app under className (the config's class_name) and
// returns its Definition. P and O are inferred from run. It panics when className is empty,
// run is nil or the class is registered twice.
func Register[E, P, O any](app *worker.App[E], className string, run RunFunc[E, P, O]) *Definition {
	d := NewDefinition(className, run)
	app.Register(worker.Registration{Kind: RegistrationKind, Name: className, Value: d})
	return d
}

// ClassName is the name the class was registered under.
func (d *Definition) ClassName() string { return d.className }

// EnvType is the Env type E the class was registered with.
func (d *Definition) EnvType() reflect.Type { return d.envType }

// ParamsType is the class's params type P.
func (d *Definition) ParamsType() reflect.Type { return d.params }

// OutputType is the class's output type O.
func (d *Definition) OutputType() reflect.Type { return d.output }
