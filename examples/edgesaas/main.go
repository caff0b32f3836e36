// Command edgesaas is a small SaaS back end on every storage binding: accounts in D1 with
// sessions in KV (cookie login), posts in D1, file uploads in R2 with thumbnails made by a
// queue consumer, a nightly cron that deletes expired sessions, and a knowledge base that
// answers questions with citations (AI embeddings, Vectorize, documents in R2).
//
//	go run ./examples/edgesaas
//	curl -c jar -X POST localhost:8787/api/signup -d '{"email":"ada@example.com","password":"correct horse"}'
//	curl -c jar -X POST localhost:8787/api/login  -d '{"email":"ada@example.com","password":"correct horse"}'
//	curl -b jar -X POST localhost:8787/api/posts  -d '{"title":"Hello","body":"First post"}'
//	curl -b jar -X PUT  localhost:8787/api/files/cat.png -H 'Content-Type: image/png' --data-binary @cat.png
//	curl -b jar localhost:8787/api/files/cat.png/thumbnail > thumb.png
//	curl -b jar -X POST localhost:8787/api/kb/index -d '{"id":"billing","title":"Billing","text":"..."}'
//	curl -X POST localhost:8787/api/kb/ask -d '{"question":"How do refunds work?"}'
//
// The database schema is in migrations/. The runner applies what is new at start
// (Options.ApplyMigrations, the --apply-migrations flag); `go run ./examples/edgesaas d1
// migrations list DB` shows what is pending and `d1 migrations apply DB` applies it by hand,
// as the platform's CLI does.
//
// Thumbnails: an image (PNG, JPEG, GIF) becomes a PNG at most 128 pixels on its longer side
// (a box-filter downscale); any other file becomes a short text summary (line and word
// counts and the first lines, or the size and SHA-256 of binary data).
//
// The knowledge base runs offline on the models shipped with flarego, named as what they
// are: embeddings from @flarego/glove-6b-100d-sif (GloVe, 100 dimensions) and answers from
// @flarego/extractive-qa, which quotes the retrieved passages rather than writing new text.
package main

import (
	_ "embed"
	"net/http"
	"os"
	"path/filepath"
	"runtime"

	"github.com/flarego/flarego/ai"
	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/worker"
)

//go:embed wrangler.jsonc
var config []byte

// Env holds the bindings declared in wrangler.jsonc.
type Env struct {
	Sessions   *kv.Namespace                  `binding:"SESSIONS"`
	DB         *d1.Database                   `binding:"DB"`
	Files      *r2.Bucket                     `binding:"FILES"`
	Thumbnails *queues.Producer[ThumbnailJob] `binding:"THUMBNAILS"`
	AI         *ai.Client                     `binding:"AI"`
	KB         *vectorize.Index               `binding:"KB"`
}

// App is the worker: HTTP routes, and the nightly cron in Scheduled.
type App struct{ worker.Router[Env] }

func newApp() *worker.App[Env] {
	a := &App{}
	a.Handle("POST /api/signup", signup)
	a.Handle("POST /api/login", login)
	a.Handle("POST /api/logout", logout)
	a.Handle("GET /api/me", authed(me))

	a.Handle("GET /api/posts", listPosts)
	a.Handle("GET /api/posts/{id}", getPost)
	a.Handle("POST /api/posts", authed(createPost))
	a.Handle("PUT /api/posts/{id}", authed(updatePost))
	a.Handle("DELETE /api/posts/{id}", authed(deletePost))

	a.Handle("GET /api/files", authed(listFiles))
	a.Handle("PUT /api/files/{name}", authed(uploadFile))
	a.Handle("GET /api/files/{name}", authed(getFile))
	a.Handle("GET /api/files/{name}/thumbnail", authed(getThumbnail))

	a.Handle("POST /api/kb/index", authed(indexDoc))
	a.Handle("POST /api/kb/ask", askKB)

	a.Handle("GET /api/stats", stats)
	a.Handle("GET /{$}", func(*http.Request, Env, *worker.Context) (*http.Response, error) {
		return worker.Text(http.StatusOK, "edgesaas: see /api/posts")
	})

	app := worker.New[Env](a)
	queues.Consume(app, "thumbnails", makeThumbnails)
	return app
}

func main() {
	host.Main(newApp(),
		host.EmbeddedConfig("wrangler.jsonc", config),
		host.Configure(func(o *host.Options) {
			o.ApplyMigrations = true
			if o.Dir == "" && o.ConfigPath == "" {
				o.Dir = projectDir()
			}
		}))
}

// projectDir is where migrations/ and .flarego/state live: the working directory when it
// holds migrations/, else this program's source directory, so that `go run
// ./examples/edgesaas` works from the repository's root too.
func projectDir() string {
	if _, err := os.Stat("migrations"); err == nil {
		return "."
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		if _, err := os.Stat(filepath.Join(filepath.Dir(file), "migrations")); err == nil {
			return filepath.Dir(file)
		}
	}
	return "."
}
