package host

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"

	"github.com/flarego/flarego/env"
	"github.com/flarego/flarego/worker"
)

func init() {
	registrars[worker.EntrypointKind] = func(w *workerSlot, reg worker.Registration) error {
		ep, ok := reg.Value.(worker.Entrypoint)
		if !ok {
			return fmt.Errorf("entrypoint %q: unexpected registration %T", reg.Name, reg.Value)
		}
		if w.entrypoints == nil {
			w.entrypoints = map[string]worker.Entrypoint{}
		}
		w.entrypoints[reg.Name] = ep
		return nil
	}
	addBinder(binder{
		kind:  "service binding",
		match: typeIs[*worker.Service](),
		make: func(w *workerSlot, name string, t reflect.Type) (reflect.Value, bool, error) {
			for _, s := range w.cfg.Services {
				if s.Binding == name {
					target := &serviceTarget{r: w.r, from: w, cfg: s}
					w.services = append(w.services, target)
					return reflect.ValueOf(worker.NewService(s.Service, target)), true, nil
				}
			}
			return reflect.Value{}, false, nil
		},
	})
}

// serviceTarget is a service binding's other end: a worker of this runner, or of another
// runner found in the service registry.
type serviceTarget struct {
	r    *Runner
	from *workerSlot
	cfg  env.Service
}

// check fails when the bound service is neither here nor registered by a running runner
// (W-031), with the platform's message.
func (t *serviceTarget) check() error {
	if _, ok := t.r.workers[t.cfg.Service]; ok {
		return nil
	}
	if _, err := t.r.registry.lookup(t.cfg.Service); err == nil {
		return nil
	}
	return fmt.Errorf("Worker %q's binding %q refers to a service \"core:user:%s\", but no such service is defined. Start the runner serving %q first, or serve both workers from one program (host.Also)",
		t.from.name, t.cfg.Binding, t.cfg.Service, t.cfg.Service)
}

func (t *serviceTarget) Fetch(req *http.Request) (*http.Response, error) {
	if ws, ok := t.r.workers[t.cfg.Service]; ok {
		return ws.fetchInternal(req, t.cfg.Props)
	}
	return t.remoteFetch(req)
}

func (t *serviceTarget) Call(ctx context.Context, method string, arg any, result any) error {
	entry := t.cfg.Entrypoint
	if entry == "" {
		entry = "default"
	}
	if ws, ok := t.r.workers[t.cfg.Service]; ok {
		return ws.callEntrypoint(ctx, entry, t.cfg.Props, func(inst any, c *worker.Context) error {
			return worker.InvokeMethod(c, inst, method, arg, result)
		})
	}
	body, err := worker.EncodeRPC(arg)
	if err != nil {
		return err
	}
	out, err := t.remoteCall(ctx, entry, method, body)
	if err != nil {
		return err
	}
	return json.Unmarshal(out, result)
}

// fetchInternal runs ws's fetch handler for a service-binding request.
func (ws *workerSlot) fetchInternal(req *http.Request, props json.RawMessage) (*http.Response, error) {
	ctx, cancel := worker.NewContext(req.Context(), worker.ContextOptions{
		Kind: "fetch", WorkerName: ws.name, Limits: ws.limits, Logger: ws.r.slog, Props: props, Exports: ws,
	})
	resp, err := callFetch(ws.bound, req.WithContext(ctx), ctx)
	ws.r.finishInternal(ctx, cancel)
	return resp, err
}

// callEntrypoint builds the entrypoint for one call and runs call on it.
func (ws *workerSlot) callEntrypoint(parent context.Context, entry string, props json.RawMessage, call func(inst any, ctx *worker.Context) error) error {
	ep, ok := ws.entrypoints[entry]
	if !ok {
		return fmt.Errorf("worker %q has no entrypoint %q (register it with worker.RegisterEntrypoint)", ws.name, entry)
	}
	ctx, cancel := worker.NewContext(parent, worker.ContextOptions{
		Kind: "rpc", WorkerName: ws.name, Limits: ws.limits, Logger: ws.r.slog, Props: props, Exports: ws,
	})
	err := catch(func() error { return call(ep.New(ws.bound.Env(), ctx), ctx) })
	ws.r.finishInternal(ctx, cancel)
	return err
}

// finishInternal ends an invocation made for a service call: WaitUntil work goes on in the
// background.
func (r *Runner) finishInternal(ctx *worker.Context, cancel context.CancelFunc) {
	cancel()
	if ctx.HasWaitUntil() {
		r.background.Add(1)
		go func() {
			defer r.background.Done()
			ctx.Wait(context.Background())
		}()
	}
}

const depthHeader = "X-Flarego-Service-Depth"

func (t *serviceTarget) remoteURL(path string, q url.Values) (string, error) {
	addr, err := t.r.registry.lookup(t.cfg.Service)
	if err != nil {
		return "", fmt.Errorf("service %q: %w", t.cfg.Service, err)
	}
	u := url.URL{Scheme: "http", Host: addr, Path: "/cdn-cgi/local/service/" + url.PathEscape(t.cfg.Service) + path, RawQuery: q.Encode()}
	return u.String(), nil
}

func (t *serviceTarget) remoteFetch(req *http.Request) (*http.Response, error) {
	target, err := t.remoteURL("/fetch", nil)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.RequestURI = ""
	u, _ := url.Parse(target)
	out.Header.Set("X-Flarego-Original-URL", req.URL.String())
	out.Header.Set(depthHeader, strconv.Itoa(worker.ServiceDepth(req.Context())))
	if len(t.cfg.Props) > 0 {
		out.Header.Set("X-Flarego-Props", string(t.cfg.Props))
	}
	out.URL = u
	out.Host = u.Host
	return http.DefaultClient.Do(out)
}

func (t *serviceTarget) remoteCall(ctx context.Context, entry, method string, body []byte) (json.RawMessage, error) {
	target, err := t.remoteURL("/rpc", url.Values{"entrypoint": {entry}, "method": {method}})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(depthHeader, strconv.Itoa(worker.ServiceDepth(ctx)))
	if len(t.cfg.Props) > 0 {
		req.Header.Set("X-Flarego-Props", string(t.cfg.Props))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, worker.MaxRPCSize+1))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(string(out))
	}
	return out, nil
}

// serveServiceCall answers calls from other runners: /cdn-cgi/local/service/NAME/fetch and
// /cdn-cgi/local/service/NAME/rpc.
func (r *Runner) serveServiceCall(w http.ResponseWriter, req *http.Request) {
	rest := req.URL.Path[len("/cdn-cgi/local/service/"):]
	name, op, _ := cutLast(rest)
	ws, ok := r.workers[name]
	if !ok {
		http.Error(w, fmt.Sprintf("no worker %q here", name), http.StatusNotFound)
		return
	}
	depth, _ := strconv.Atoi(req.Header.Get(depthHeader))
	ctx := worker.WithServiceDepth(req.Context(), depth)
	props := json.RawMessage(req.Header.Get("X-Flarego-Props"))
	if len(props) == 0 {
		props = nil
	}
	switch op {
	case "fetch":
		in := req.Clone(ctx)
		if orig, err := url.Parse(req.Header.Get("X-Flarego-Original-URL")); err == nil && orig.Path != "" {
			in.URL = orig
		}
		in.Header.Del("X-Flarego-Original-URL")
		in.Header.Del(depthHeader)
		in.Header.Del("X-Flarego-Props")
		resp, err := ws.fetchInternal(in, props)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeResponse(w, resp)
	case "rpc":
		arg, err := io.ReadAll(io.LimitReader(req.Body, worker.MaxRPCSize+1))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var out json.RawMessage
		err = ws.callEntrypoint(ctx, req.URL.Query().Get("entrypoint"), props, func(inst any, c *worker.Context) error {
			var err error
			out, err = worker.InvokeMethodJSON(c, inst, req.URL.Query().Get("method"), arg)
			return err
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
	default:
		http.NotFound(w, req)
	}
}

func cutLast(s string) (before, after string, ok bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
