package host

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"reflect"
	"strings"

	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workflows"
)

func init() {
	registrars[workflows.RegistrationKind] = func(*workerSlot, worker.Registration) error { return nil }
	addBinder(binder{
		kind:  "workflow",
		match: isWorkflowType,
		make: func(w *workerSlot, name string, t reflect.Type) (reflect.Value, bool, error) {
			for _, wf := range w.cfg.Workflows {
				if wf.Binding != name {
					continue
				}
				eng, err := w.r.workflowEngine(w, wf)
				if err != nil {
					return reflect.Value{}, true, err
				}
				v, err := workflows.NewBindingValue(t, eng)
				return v, true, err
			}
			return reflect.Value{}, false, nil
		},
	})
	addCommand(&command{
		name:    "workflows",
		summary: "workflows list | instances list|describe|terminate|pause|resume|restart|delete NAME [ID] | trigger NAME [PARAMS] | send-event NAME ID TYPE [PAYLOAD]",
		run:     runWorkflowsCommand,
	})
}

var workflowPkg = reflect.TypeFor[workflows.Engine]().PkgPath()

// isWorkflowType matches *workflows.Workflow[P] for any P.
func isWorkflowType(t reflect.Type) bool {
	return t.Kind() == reflect.Pointer && t.Elem().PkgPath() == workflowPkg && strings.HasPrefix(t.Elem().Name(), "Workflow[")
}

// workflowEngine opens the engine of one configured workflow, shared by every binding to it;
// it starts once every worker's Env exists (startWorkflows).
func (r *Runner) workflowEngine(w *workerSlot, wf env.Workflow) (*workflows.Engine, error) {
	return openShared(r, "workflows", wf.Name, func() (*workflows.Engine, func() error, error) {
		owner := w.name // the worker that registers the class runs it
		if wf.ScriptName != "" {
			owner = wf.ScriptName
		}
		eng, err := workflows.Open(workflows.Options{
			Name: wf.Name, ClassName: wf.ClassName, ScriptName: wf.ScriptName,
			Dir: r.opts.stateDir("workflows"), Logger: r.slog, WorkerName: owner, Limits: w.limits,
			Exports: workerExports{r: r, name: owner},
		})
		if err != nil {
			return nil, nil, err
		}
		r.pendingWorkflows = append(r.pendingWorkflows, pendingWorkflow{eng: eng, cfg: wf, from: w})
		return eng, eng.Close, nil
	})
}

type pendingWorkflow struct {
	eng  *workflows.Engine
	cfg  env.Workflow
	from *workerSlot
}

// startWorkflows starts each opened workflow with the Env of the worker that registered its
// class: the binding's own worker, or the one named by script_name (WF-030).
func (r *Runner) startWorkflows() error {
	for _, p := range r.pendingWorkflows {
		owner := p.from
		if p.cfg.ScriptName != "" {
			o, ok := r.workers[p.cfg.ScriptName]
			if !ok {
				return fmt.Errorf("workflow %q: script_name %q is not a worker of this runner", p.cfg.Name, p.cfg.ScriptName)
			}
			owner = o
		}
		var def *workflows.Definition
		for _, reg := range owner.app.Registrations() {
			if reg.Kind == workflows.RegistrationKind && reg.Name == p.cfg.ClassName {
				def = reg.Value.(*workflows.Definition)
			}
		}
		if def == nil {
			return fmt.Errorf("workflow %q: worker %q registers no class %q (workflows.Register(app, %q, run))", p.cfg.Name, owner.name, p.cfg.ClassName, p.cfg.ClassName)
		}
		if err := p.eng.Start(def, owner.bound.Env()); err != nil {
			return fmt.Errorf("workflow %q: %w", p.cfg.Name, err)
		}
	}
	r.pendingWorkflows = nil
	return nil
}

func runWorkflowsCommand(ctx context.Context, c *cmdEnv, args []string) error {
	const usage = `usage: workflows list
       workflows instances list NAME [--status S]
       workflows instances describe|terminate|pause|resume|restart|delete NAME [ID|latest]
       workflows trigger NAME [PARAMS_JSON] [--id ID]
       workflows send-event NAME ID TYPE [PAYLOAD_JSON]`
	if len(args) == 0 {
		return errors.New(usage)
	}
	dir := c.opts.stateDir("workflows")
	if args[0] == "list" {
		list, err := workflows.ListWorkflows(ctx, dir)
		if err != nil {
			return err
		}
		return printJSON(c, list)
	}
	fs := flag.NewFlagSet("workflows", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	status := fs.String("status", "", "only instances in this status")
	id := fs.String("id", "", "instance id for trigger")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	open := func(name string) (*workflows.Engine, error) {
		o := workflows.Options{Name: name, Dir: dir}
		for _, wf := range c.cfg.Workflows {
			if wf.Name == name {
				o.ClassName, o.ScriptName = wf.ClassName, wf.ScriptName
			}
		}
		return workflows.Open(o)
	}
	switch {
	case pos[0] == "instances" && len(pos) >= 3:
		eng, err := open(pos[2])
		if err != nil {
			return err
		}
		defer eng.Close()
		target := "latest"
		if len(pos) >= 4 {
			target = pos[3]
		}
		if pos[1] == "list" {
			o := workflows.ListOptions{}
			if *status != "" {
				o.Status = []workflows.Status{workflows.Status(*status)}
			}
			list, err := eng.List(ctx, o)
			if err != nil {
				return err
			}
			return printJSON(c, list)
		}
		iid, err := eng.ResolveID(ctx, target)
		if err != nil {
			return err
		}
		switch pos[1] {
		case "describe":
			d, err := eng.Describe(ctx, iid)
			if err != nil {
				return err
			}
			return d.WriteText(c.stdout)
		case "terminate":
			err = eng.Terminate(ctx, iid)
		case "pause":
			err = eng.Pause(ctx, iid)
		case "resume":
			err = eng.Resume(ctx, iid)
		case "restart":
			err = eng.Restart(ctx, iid)
		case "delete":
			err = eng.Delete(ctx, iid)
		default:
			return errors.New(usage)
		}
		if err == nil {
			fmt.Fprintf(c.stdout, "%s: %s\n", pos[1], iid)
		}
		return err
	case pos[0] == "trigger" && len(pos) >= 2:
		eng, err := open(pos[1])
		if err != nil {
			return err
		}
		defer eng.Close()
		params := ""
		if len(pos) >= 3 {
			params = pos[2]
		}
		iid, err := eng.Trigger(ctx, *id, params)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "created instance %s\n", iid)
		return nil
	case pos[0] == "send-event" && len(pos) >= 4:
		eng, err := open(pos[1])
		if err != nil {
			return err
		}
		defer eng.Close()
		var payload json.RawMessage
		if len(pos) >= 5 {
			payload = json.RawMessage(pos[4])
		}
		return eng.SendEvent(ctx, pos[2], pos[3], payload)
	}
	return errors.New(usage)
}

func printJSON(c *cmdEnv, v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
