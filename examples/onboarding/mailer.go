package main

import (
	"context"
	"crypto/rand"
	"log/slog"
)

// Email is one message to a user.
type Email struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// Mailer sends email. A real program calls its email provider's HTTP API here; any error
// makes the workflow retry the step.
type Mailer interface {
	// Send delivers m and returns the provider's message id.
	Send(ctx context.Context, m Email) (id string, err error)
}

// logMailer "sends" by logging, so that the example runs with nothing else installed.
type logMailer struct{ log *slog.Logger }

// Send implements Mailer.
func (l logMailer) Send(ctx context.Context, m Email) (string, error) {
	id := rand.Text()
	l.log.InfoContext(ctx, "email sent", "id", id, "to", m.To, "subject", m.Subject)
	return id, nil
}
