package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workflows"
)

// Signup is what an onboarding starts from: the workflow's params.
type Signup struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// Approval is the payload of the "approval" event that a person sends.
type Approval struct {
	By string `json:"by"`
}

// Outcome is the workflow's result, shown by GET /onboarding/{id} once it completes.
type Outcome struct {
	Email      string `json:"email"`
	Account    string `json:"account"` // "active" or "expired"
	ApprovedBy string `json:"approvedBy,omitempty"`
}

// How long each stage waits. Days, not seconds: a sleeping instance costs nothing but a
// row on disk.
const (
	lookAround     = 24 * time.Hour
	approvalWindow = 7 * 24 * time.Hour
	checkInAfter   = 7 * 24 * time.Hour
)

// emailStep retries a failing send for a quarter of an hour: six attempts, 30 s apart at
// first and doubling, which rides out a provider's short outage.
var emailStep = workflows.StepConfig{
	Retries: &workflows.Retries{Limit: 5, Delay: 30 * time.Second, Backoff: workflows.BackoffExponential},
	Timeout: time.Minute,
}

// onboarding is the OnboardingWorkflow class.
type onboarding struct{ mail Mailer }

// run is executed from the top every time the instance wakes up. Completed steps return
// their stored results instead of running again, which is why every side effect (each
// email, each write) sits inside a step, and why the step names never change.
func (o onboarding) run(ev workflows.Event[Signup], step *workflows.Step, env Env, ctx *worker.Context) (Outcome, error) {
	u := ev.Payload
	if err := o.send(step, "send welcome email", Email{To: u.Email, Subject: "Welcome, " + u.Name,
		Body: "Thanks for signing up. Your account is being reviewed."}); err != nil {
		return Outcome{}, err // also how a sleeping or retrying run stops: return the error
	}
	if err := workflows.Sleep(step, "let them look around", lookAround); err != nil {
		return Outcome{}, err
	}
	if err := o.send(step, "send getting-started tips", Email{To: u.Email, Subject: "Three things to try first",
		Body: "Create a project, invite a colleague, connect a domain."}); err != nil {
		return Outcome{}, err
	}

	approval, err := workflows.WaitForEvent[Approval](step, "wait for approval", "approval", approvalWindow)
	if isTimeout(err) {
		// Nobody approved within the window: close the application and say so.
		if err := setAccount(step, env, u.Email, Account{Status: "expired", Onboarding: ev.InstanceID}); err != nil {
			return Outcome{}, err
		}
		if err := o.send(step, "send expiry notice", Email{To: u.Email, Subject: "Your application expired",
			Body: "We could not review your account in time. Sign up again any time."}); err != nil {
			return Outcome{}, err
		}
		return Outcome{Email: u.Email, Account: "expired"}, nil
	}
	if err != nil {
		return Outcome{}, err
	}

	by := approval.Payload.By
	if err := setAccount(step, env, u.Email, Account{Status: "active", Onboarding: ev.InstanceID, ApprovedBy: by}); err != nil {
		return Outcome{}, err
	}
	if err := o.send(step, "send approval email", Email{To: u.Email, Subject: "You're in",
		Body: "Your account was approved by " + by + "."}); err != nil {
		return Outcome{}, err
	}
	if err := workflows.Sleep(step, "a week of use", checkInAfter); err != nil {
		return Outcome{}, err
	}
	if err := o.send(step, "send check-in email", Email{To: u.Email, Subject: "How is it going?",
		Body: "Reply to this email with anything that got in your way."}); err != nil {
		return Outcome{}, err
	}
	return Outcome{Email: u.Email, Account: "active", ApprovedBy: by}, nil
}

// send is one email as one retried step. The provider's message id is the step's stored
// result, so a replay does not send the email again.
func (o onboarding) send(step *workflows.Step, name string, m Email) error {
	_, err := workflows.DoWith(step, name, emailStep, func(ctx context.Context) (string, error) {
		return o.mail.Send(ctx, m)
	})
	return err
}

// setAccount stores the account's new state in a step of its own.
func setAccount(step *workflows.Step, env Env, email string, a Account) error {
	_, err := workflows.Do(step, fmt.Sprintf("mark account %s", a.Status), func(ctx context.Context) (Account, error) {
		return a, env.Accounts.PutJSON(ctx, accountKey(email), a)
	})
	return err
}

// isTimeout reports whether a WaitForEvent ended because its timeout passed. The error's
// Name is checked rather than its Go type because replays only keep name and message.
func isTimeout(err error) bool {
	var we *workflows.Error
	return errors.As(err, &we) && we.Name == workflows.NameTimeout
}
