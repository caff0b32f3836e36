package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/mail"

	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/worker"
	"github.com/flarego/flarego/workflows"
)

// Account is a user's account record in ACCOUNTS.
type Account struct {
	Status     string `json:"status"` // pending, active or expired
	Onboarding string `json:"onboarding"`
	ApprovedBy string `json:"approvedBy,omitempty"`
}

func accountKey(email string) string { return "account:" + email }

// routes is the HTTP API: start an onboarding, look at it, approve it. It is an ordinary
// http.Handler; the bindings come from env.
func routes(env Env) http.Handler {
	mux := http.NewServeMux()

	// Start: one workflow instance per signup.
	mux.HandleFunc("POST /onboarding", func(w http.ResponseWriter, r *http.Request) {
		var s Signup
		if err := json.NewDecoder(r.Body).Decode(&s); err != nil || s.Name == "" {
			http.Error(w, `want {"email": "...", "name": "..."}`, http.StatusBadRequest)
			return
		}
		if _, err := mail.ParseAddress(s.Email); err != nil {
			http.Error(w, "invalid email address", http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		if _, err := kv.GetJSON[Account](ctx, env.Accounts, accountKey(s.Email)); err == nil {
			http.Error(w, "already signed up", http.StatusConflict)
			return
		} else if !errors.Is(err, kv.ErrNotFound) {
			serverError(w, r, err)
			return
		}
		inst, err := env.Onboarding.Create(ctx, workflows.CreateOptions[Signup]{Params: s})
		if err != nil {
			serverError(w, r, err)
			return
		}
		if err := env.Accounts.PutJSON(ctx, accountKey(s.Email), Account{Status: "pending", Onboarding: inst.ID}); err != nil {
			serverError(w, r, err)
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"id": inst.ID})
	})

	// Status: the instance's status, step outputs and, once complete, its Outcome.
	mux.HandleFunc("GET /onboarding/{id}", func(w http.ResponseWriter, r *http.Request) {
		inst, ok := instance(w, r, env)
		if !ok {
			return
		}
		st, err := inst.Status(r.Context())
		if err != nil {
			serverError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, st)
	})

	// Approve: an event the waiting instance receives. An event sent before the workflow
	// reaches its wait is kept and delivered then.
	mux.HandleFunc("POST /onboarding/{id}/approve", func(w http.ResponseWriter, r *http.Request) {
		var a Approval
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil || a.By == "" {
			http.Error(w, `want {"by": "..."}`, http.StatusBadRequest)
			return
		}
		inst, ok := instance(w, r, env)
		if !ok {
			return
		}
		err := inst.SendEvent(r.Context(), "approval", a)
		if errors.Is(err, workflows.ErrCannotSendEvent) {
			http.Error(w, "this onboarding has finished", http.StatusConflict)
			return
		}
		if err != nil {
			serverError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})

	mux.HandleFunc("GET /accounts/{email}", func(w http.ResponseWriter, r *http.Request) {
		a, err := kv.GetJSON[Account](r.Context(), env.Accounts, accountKey(r.PathValue("email")))
		if errors.Is(err, kv.ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			serverError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, a)
	})
	return mux
}

// instance finds the instance named in the path, answering 404 when there is none.
func instance(w http.ResponseWriter, r *http.Request, env Env) (*workflows.Instance, bool) {
	inst, err := env.Onboarding.Get(r.Context(), r.PathValue("id"))
	if errors.Is(err, workflows.ErrNotFound) || errors.Is(err, workflows.ErrInvalidID) {
		http.Error(w, "no such onboarding", http.StatusNotFound)
		return nil, false
	}
	if err != nil {
		serverError(w, r, err)
		return nil, false
	}
	return inst, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// serverError logs err with the invocation and keeps its details from the client.
func serverError(w http.ResponseWriter, r *http.Request, err error) {
	if ctx := worker.ContextFrom(r.Context()); ctx != nil {
		ctx.Logger().Error("request failed", "err", err)
	}
	http.Error(w, "internal error", http.StatusInternalServerError)
}
