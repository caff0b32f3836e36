// Command onboarding runs a new user's onboarding as a durable workflow: a welcome email
// sent with retries, a day's pause, tips, an approval a person gives through the API (or a
// reminder and expiry when nobody does within a week), then a check-in a week later.
//
//	go run ./examples/onboarding
//	curl -X POST localhost:8787/onboarding -d '{"email":"ada@example.com","name":"Ada"}'
//	curl localhost:8787/onboarding/ID
//	curl -X POST localhost:8787/onboarding/ID/approve -d '{"by":"grace"}'
//
// The workflow sleeps for days; its state lives in .flarego/state, so stopping and
// restarting the program loses nothing, and `go run ./examples/onboarding workflows
// instances describe onboarding ID` shows each step. The tests run the days in
// milliseconds with a fake clock.
package main

import (
	_ "embed"
	"log/slog"

	"github.com/flarego/flarego/host"
	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workflows"
)

//go:embed wrangler.jsonc
var config []byte

// Env holds the bindings declared in wrangler.jsonc.
type Env struct {
	Onboarding *workflows.Workflow[Signup] `binding:"ONBOARDING"`
	Accounts   *kv.Namespace               `binding:"ACCOUNTS"`
}

// newApp builds the worker. The mailer is a dependency of the program, not a binding, so
// it is given here: main gives one that logs, tests give a fake that can fail.
func newApp(mail Mailer) *worker.App[Env] {
	app := worker.New[Env](worker.FromHTTP(routes))
	workflows.Register(app, "OnboardingWorkflow", onboarding{mail: mail}.run)
	return app
}

func main() {
	host.Main(newApp(logMailer{log: slog.Default()}), host.EmbeddedConfig("wrangler.jsonc", config))
}
