package host

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/flarego/flarego/durableobject"
)

// The runner holds the database of every object it has open (an object lives in one
// process), so the durable-objects subcommand reads and deletes objects through the runner
// serving the same state when there is one, and through the files otherwise.

const doObjectPath = "/cdn-cgi/local/durable-objects/object"

// doServedHeader marks an answer of a runner that serves the state asked about.
const doServedHeader = "Flarego-Durable-Objects"

// serveDOObject answers doObjectPath?state=DIR&namespace=KEY&object=NAME|ID: GET dumps the
// object's committed state as JSON, DELETE erases it. It answers 404 with "other state" when
// DIR is not this runner's Durable Object directory or no worker of it has the namespace, so
// that the caller goes to the files.
func (r *Runner) serveDOObject(w http.ResponseWriter, req *http.Request) {
	q := req.URL.Query()
	if !samePath(q.Get("state"), r.opts.stateDir("do")) {
		http.Error(w, "other state", http.StatusNotFound)
		return
	}
	var ns *durableobject.NamespaceHandle
	for _, wk := range r.workers {
		if wk.do != nil {
			if ns = wk.do.Lookup(q.Get("namespace")); ns != nil {
				break
			}
		}
	}
	if ns == nil {
		http.Error(w, "other state", http.StatusNotFound)
		return
	}
	w.Header().Set(doServedHeader, "1")
	id, err := ns.ResolveID(q.Get("object"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch req.Method {
	case http.MethodGet:
		dump, err := ns.Read(req.Context(), id)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(dump)
	case http.MethodDelete:
		if err := ns.Delete(req.Context(), id); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, id)
	default:
		w.Header().Set("Allow", "GET, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// samePath reports whether a and b name the same directory; "" matches nothing.
func samePath(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// errNoRunner means no runner at the configured address serves this state.
var errNoRunner = errors.New("no runner serves this state")

// askRunner runs show (GET) or delete (DELETE) of an object through the runner at the
// configured address. It returns errNoRunner when nothing listens there or the runner there
// serves other state.
func askRunner(ctx context.Context, c *cmdEnv, method, ns, object string) ([]byte, error) {
	ip := c.opts.IP
	if parsed := net.ParseIP(ip); parsed != nil && parsed.IsUnspecified() {
		ip = "127.0.0.1"
	}
	state, err := filepath.Abs(c.opts.stateDir("do"))
	if err != nil {
		return nil, err
	}
	u := url.URL{Scheme: "http", Host: net.JoinHostPort(ip, strconv.Itoa(c.opts.Port)), Path: doObjectPath,
		RawQuery: url.Values{"state": {state}, "namespace": {ns}, "object": {object}}.Encode()}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, errNoRunner
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.Header.Get(doServedHeader) == "" {
		return nil, errNoRunner // another server, or a runner serving other state
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("durable-objects: the runner at %s answered %s: %s", u.Host, resp.Status, bytes.TrimSpace(body))
	}
	return body, nil
}
