package main

import (
	"errors"
	"net/http"
	"net/mail"
	"time"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/worker"
)

// User is an account, as the API shows it.
type User struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func signup(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	c, err := decode[credentials](req)
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	if _, err := mail.ParseAddress(c.Email); err != nil {
		return fail(http.StatusBadRequest, "invalid email address")
	}
	if len(c.Password) < 8 {
		return fail(http.StatusBadRequest, "password must have at least 8 characters")
	}
	hash, err := hashPassword(c.Password)
	if err != nil {
		return nil, err
	}
	res, err := env.DB.Prepare(`INSERT INTO users (email, password, created_at) VALUES (?, ?, ?)`).
		Bind(c.Email, hash, now()).Run(ctx)
	var sqlErr *d1.SQLiteError
	if errors.As(err, &sqlErr) && sqlErr.Code == 2067 { // SQLITE_CONSTRAINT_UNIQUE
		return fail(http.StatusConflict, "email already registered")
	}
	if err != nil {
		return nil, err
	}
	return worker.JSON(http.StatusCreated, User{ID: res.Meta.LastRowID, Email: c.Email})
}

func login(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	c, err := decode[credentials](req)
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	u, found, err := d1.First[struct {
		ID       int64
		Password string
	}](ctx, env.DB.Prepare(`SELECT id, password FROM users WHERE email = ?`).Bind(c.Email))
	if err != nil {
		return nil, err
	}
	// One answer for an unknown email and a wrong password, so that the API does not
	// tell which emails have accounts.
	if !found || !checkPassword(u.Password, c.Password) {
		return fail(http.StatusUnauthorized, "wrong email or password")
	}
	cookie, err := newSession(ctx, env.Sessions, u.ID, c.Email)
	if err != nil {
		return nil, err
	}
	resp, err := worker.JSON(http.StatusOK, User{ID: u.ID, Email: c.Email})
	if err != nil {
		return nil, err
	}
	resp.Header.Add("Set-Cookie", cookie.String())
	return resp, nil
}

func logout(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	if _, id, err := loadSession(ctx, env.Sessions, req); err == nil {
		if err := env.Sessions.Delete(ctx, sessionKey(id)); err != nil {
			return nil, err
		}
	}
	resp, _ := worker.Text(http.StatusOK, "signed out") // Text never fails
	resp.Header.Add("Set-Cookie", clearedCookie().String())
	return resp, nil
}

func me(req *http.Request, env Env, ctx *worker.Context, s Session) (*http.Response, error) {
	return worker.JSON(http.StatusOK, User{ID: s.UserID, Email: s.Email})
}

// authedFunc is a route that needs a signed-in user.
type authedFunc func(req *http.Request, env Env, ctx *worker.Context, s Session) (*http.Response, error)

// authed turns away requests without a valid session with 401.
func authed(h authedFunc) worker.HandlerFunc[Env] {
	return func(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
		s, _, err := loadSession(ctx, env.Sessions, req)
		if errors.Is(err, errNoSession) {
			return fail(http.StatusUnauthorized, "sign in first")
		}
		if err != nil {
			return nil, err
		}
		return h(req, env, ctx, s)
	}
}

// now is the time stored in created_at and updated_at columns.
func now() string { return time.Now().UTC().Format(time.RFC3339) }
