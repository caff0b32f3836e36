package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/flarego/flarego/kv"
)

// sessionLifetime is how long a login lasts.
const sessionLifetime = 7 * 24 * time.Hour

const sessionCookie = "sid"

// Session is what SESSIONS holds under "session:<id>".
type Session struct {
	UserID    int64     `json:"userId"`
	Email     string    `json:"email"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// sessionMeta is the key's metadata: List returns it with each key, so the nightly sweep
// finds expired sessions without reading every value.
type sessionMeta struct {
	Expires int64 `json:"expires"` // Unix seconds
}

func sessionKey(id string) string { return "session:" + id }

var errNoSession = errors.New("not signed in")

// newSession stores a session for the user and returns the cookie that carries its id.
func newSession(ctx context.Context, sessions *kv.Namespace, userID int64, email string) (*http.Cookie, error) {
	id := rand.Text() // 128 random bits
	s := Session{UserID: userID, Email: email, ExpiresAt: time.Now().Add(sessionLifetime).UTC()}
	err := sessions.PutJSON(ctx, sessionKey(id), s, kv.WithMetadata(sessionMeta{Expires: s.ExpiresAt.Unix()}))
	if err != nil {
		return nil, err
	}
	return &http.Cookie{Name: sessionCookie, Value: id, Path: "/", Expires: s.ExpiresAt,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}, nil
}

// loadSession returns the request's session, or errNoSession when it has none, or one
// that expired (which the nightly sweep will delete).
func loadSession(ctx context.Context, sessions *kv.Namespace, req *http.Request) (Session, string, error) {
	c, err := req.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return Session{}, "", errNoSession
	}
	s, err := kv.GetJSON[Session](ctx, sessions, sessionKey(c.Value))
	if errors.Is(err, kv.ErrNotFound) || (err == nil && !time.Now().Before(s.ExpiresAt)) {
		return Session{}, "", errNoSession
	}
	return s, c.Value, err
}

// clearedCookie tells the browser to forget the session cookie.
func clearedCookie() *http.Cookie {
	return &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
}

// sweepSessions deletes every session that expired before now and returns how many.
func sweepSessions(ctx context.Context, sessions *kv.Namespace, now time.Time) (int, error) {
	n := 0
	for k, err := range sessions.Keys(ctx, kv.ListOptions{Prefix: "session:"}) {
		if err != nil {
			return n, err
		}
		var m sessionMeta
		if json.Unmarshal(k.Metadata, &m) != nil || m.Expires > now.Unix() {
			continue
		}
		if err := sessions.Delete(ctx, k.Name); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
