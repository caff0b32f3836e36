// Package workflows is the platform's Workflows: durable, multi-step programs whose steps
// are retried, whose results are stored, and which can sleep for days or wait for an event
// without holding anything in memory.
//
// # Writing a workflow
//
// A workflow class is a run function registered on the App under the config's class_name:
//
//	type SignupParams struct{ Email string }
//
//	func Signup(ev workflows.Event[SignupParams], step *workflows.Step, env Env, ctx *worker.Context) (string, error) {
//		user, err := workflows.Do(step, "create user", func(ctx context.Context) (User, error) {
//			return createUser(ctx, env.DB, ev.Payload.Email)
//		})
//		if err != nil {
//			return "", err
//		}
//		if err := workflows.Sleep(step, "grace period", 24*time.Hour); err != nil {
//			return "", err
//		}
//		ok, err := workflows.WaitForEvent[bool](step, "approval", "approved", 7*24*time.Hour)
//		if err != nil {
//			return "", err
//		}
//		...
//		return user.ID, nil
//	}
//
//	workflows.Register(app, "SignupWorkflow", Signup)
//
// and started through a binding, an Env field of type *workflows.Workflow[SignupParams]:
//
//	inst, err := env.Signup.Create(ctx, workflows.CreateOptions[SignupParams]{Params: p})
//	st, err := inst.Status(ctx) // queued, running, waiting, complete, errored …
//
// # The replay model (read this)
//
// This is the platform's model, and code written for it works here unchanged:
//
//   - run executes again FROM THE TOP every time the instance continues: after every
//     sleep, every event, every retry delay, every resume, and after the process restarts.
//   - A step that completed returns its stored result, and a step that failed for good
//     returns its stored error, without calling the callback again (WF-014). Steps are
//     identified by name and by how many calls with that name came before in the same run
//     (WF-015): keep names and their order deterministic. Renaming or reordering steps
//     breaks instances that are already running.
//   - Code outside Do callbacks runs on every replay. Put every side effect (writes, sends,
//     calls to other services) inside a Do callback, and compute nothing outside steps that
//     must not change between runs (time.Now, random numbers: put them in a step).
//   - Step results are stored as JSON and Do returns the decoded JSON, also on the first
//     run, so the first run and the replays see the same values. Unexported fields and
//     anything encoding/json cannot represent are lost; channels and functions cannot be
//     returned at all (the instance fails, WF-002).
//   - A step's configuration is fixed by its first attempt; later runs use the stored one.
//
// # Suspension: return the error
//
// A sleeping or waiting instance holds no goroutine and no memory: it is rows in its
// database and a wake-up time in the scheduler's index. To get there, the step function
// that has to wait (Sleep, SleepUntil, WaitForEvent, or Do during a retry delay, a pending
// pause or a termination) returns an error for which IsSuspend is true, and run must return
// it, unchanged or wrapped with %w:
//
//	if err := workflows.Sleep(step, "nap", time.Hour); err != nil {
//		return "", err // IsSuspend(err): the engine stops this run here
//	}
//
// Do not swallow that error. If code does, the instance still does not run ahead: once a
// run is suspending, no new Do attempt starts in it (Do returns the same error), and the
// run's result is ignored. Code outside steps then runs early, which the replay model
// allows, but a Sleep or WaitForEvent reached after a swallowed suspension starts its
// clock early.
//
// Steps may run in parallel: call the step functions from goroutines that run starts and
// waits for (sync.WaitGroup, errgroup), and return their errors joined or the first one.
// When one branch suspends, the others finish the attempt they are in (its result is
// stored), still get stored results, and may still begin sleeps and event waits, whose
// clocks start then, as they would on the platform; new attempts wait for the next run.
//
// # Retries, timeouts, errors
//
// A failing Do callback is retried per StepConfig: Limit retries after the first attempt
// (limit+1 attempts in all, as the platform's engine does, WF-019), waiting Delay, Delay·k
// or Delay·2^(k-1) (constant, linear, exponential) before retry k. The defaults (WF-018)
// are 5 retries from 10 s (the platform's documented delay; Options.RetryDelay changes it,
// e.g. to the local runtime's 1 s), exponential, 10 minutes per attempt. An attempt that
// outlives its timeout fails with a WorkflowTimeoutError "Execution timed out after <ms>ms"
// and its context is cancelled; a callback that ignores its context keeps running in the
// background and its result is discarded. NonRetryable(err) fails the step at once.
//
// Errors coming out of steps are *Error values with the platform's Name and Message.
// In the run where the failure happened they unwrap to the callback's own error; replayed
// from storage, only Name and Message are left. An error returned by run makes the
// instance errored with {name, message}; a panic in run or in a callback is an error too.
// Fatal errors (a bad step name or config, the step limit, an unserialisable result, a
// sleep over 365 days) end the instance as errored even when run ignores them.
//
// # Instances
//
// Statuses are the platform's: queued, running, waiting (sleeping, waiting for an event
// or for a retry delay), waitingForPause, paused, complete, errored, terminated. The local
// runtime reports running where production, and this engine, report waiting (WF-008).
// Pause takes effect at the end of the step in progress; Resume continues with sleeps,
// retry delays and event timeouts moved later by the time spent paused; Terminate stops
// the instance and cancels the step in progress; Restart discards the stored steps and
// events and runs again with the original params; SendEvent stores an event and wakes a
// WaitForEvent for its type (events sent earlier are kept, in order, WF-012); Delete
// removes the instance (WF-031).
//
// # Running it: the runner's API
//
// The runner wires a workflow with a few calls (package host does this from the config):
//
//	eng, err := workflows.Open(workflows.Options{Name: "signup", ClassName: "SignupWorkflow",
//		Dir: filepath.Join(persistDir, "workflows"), Logger: logger})
//	v, err := workflows.NewBindingValue(field.Type, eng) // while building the Env
//	def := reg.Value.(*workflows.Definition)            // Kind RegistrationKind, Name class_name
//	err = eng.Start(def, env)                          // once the Env exists
//	defer eng.Close()
//
// Engine methods with string ids and JSON (Create, Status, Pause, Resume, Terminate,
// Restart, SendEvent, Delete, List, Describe, Trigger, ResolveID) and ListWorkflows back the
// CLI's workflows commands; an engine opened and never started serves them without running
// anything, and a running engine picks up what another process wrote within
// Options.PollInterval. Unit tests use workflowstest.NewEngine, or Open with a
// memory.Driver, inside a testing/synctest bubble so that sleeps take no time.
//
// # Storage
//
// One SQLite database per workflow, <Dir>/<Name>.sqlite (package workflows/sqlite; Dir ""
// keeps it in memory), written through group commit: every state change is on disk before
// the call that made it returns, so instances survive the process being killed at any
// point: a step's result is stored before Do returns it. An attempt is stored when it ends,
// and also when it starts if it runs longer than 10 ms; a crash during such an attempt
// counts as a failed attempt ("Attempt failed due to internal workflows error") and it is
// retried, while a crash during a shorter one just runs it again. Sleeps are stored with
// the run's next write or its end, since the run stops at them anyway. Each workflow has one scheduler goroutine
// with one timer for the soonest wake-up; at most Options.MaxConcurrent instances run at
// once, instances returning from a sleep go before newly queued ones (WF-028), and sleeping
// or waiting instances do not count.
//
// # Conformance
//
// The suite in workflows/workflowstest proves, on every driver, WF-001 to WF-029 and
// WF-031 to WF-033 (test names carry the IDs). Not applicable, or applicable in part:
//
//   - WF-017: the delay-as-function and sensitive options have no Go form; durations are
//     time.Duration, so the string forms ("10 seconds") do not arise. A zero Timeout means
//     the default rather than an error.
//   - WF-025, WF-026: durations and times are typed (time.Duration, time.Time), so the
//     ms-or-string and seconds-or-ms questions do not arise.
//   - WF-029: account limits are not modelled; Options.MaxConcurrent bounds running
//     instances (default 100) and the queue is unbounded. Finished instances are kept until
//     deleted, as on the local runtime; there is no retention expiry.
//   - WF-030: script_name (a binding to a workflow of another worker) and the
//     compatibility date are configuration, handled by the runner, which hands each binding
//     the engine of the named workflow.
//   - WF-023: the instance state limit is Options.MaxStateBytes (default 1 GiB, the paid
//     plan), counting stored step results and events.
//
// Texts the platform does not define and this package had to choose, in the platform's
// "(code) message" style: ErrAlreadyExists, ErrBatchTooLarge, ErrPayloadTooLarge,
// ErrCannotResume, ErrCannotSendEvent, ErrInvalidEventType, the fatal errors of a sleep
// over 365 days and of the state limit, and the error of a run result that cannot be
// encoded.
package workflows
