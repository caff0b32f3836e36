package host

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"

	"github.com/flarego/flarego/assets"
	"github.com/flarego/flarego/worker"
)

// staticAssets is a worker's assets section, opened.
type staticAssets struct {
	server      *assets.Server
	workerFirst assets.WorkerFirst
	spa         bool
	binding     string
}

func init() {
	addBinder(binder{
		kind:  "assets binding",
		match: typeIs[*worker.Assets](),
		make: func(w *workerSlot, name string, t reflect.Type) (reflect.Value, bool, error) {
			if w.assets == nil || w.assets.binding != name {
				return reflect.Value{}, false, nil
			}
			return reflect.ValueOf(worker.NewAssets(w.assets.server)), true, nil
		},
	})
}

// openAssets reads the config's assets section for w; no section means no assets.
func (r *Runner) openAssets(w *workerSlot) error {
	a := w.cfg.Assets
	if a == nil || a.Directory == "" {
		if a != nil && a.Binding != "" {
			return fmt.Errorf("assets.binding %q needs assets.directory", a.Binding)
		}
		return nil
	}
	dir := a.Directory
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(r.opts.Dir, dir)
	}
	srv, err := assets.New(dir, assets.Options{HTMLHandling: a.HTMLHandling, NotFoundHandling: a.NotFoundHandling})
	if err != nil {
		return err
	}
	wf, err := assets.ParseWorkerFirst(a.RunWorkerFirst)
	if err != nil {
		srv.Close()
		return err
	}
	r.onClose(func(context.Context) error { return srv.Close() })
	w.assets = &staticAssets{server: srv, workerFirst: wf, spa: a.NotFoundHandling == assets.SinglePageApplication, binding: a.Binding}
	return nil
}

// serveAsset answers req from the assets before the worker runs, as the platform does:
// an asset (or its canonical-URL redirect) wins unless run_worker_first covers the path;
// with single-page-application, navigation requests that match nothing get index.html
// without the worker. It returns false when the worker should handle req.
func (sa *staticAssets) serveAsset(w http.ResponseWriter, req *http.Request) bool {
	if sa.workerFirst.Match(req.URL.Path) {
		return false
	}
	if sa.server.Serve(w, req, false) {
		return true
	}
	if sa.spa && req.Header.Get("Sec-Fetch-Mode") == "navigate" {
		return sa.server.Serve(w, req, true)
	}
	return false
}
