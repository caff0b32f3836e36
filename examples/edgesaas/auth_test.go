package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAuth_SignupLoginLogout(t *testing.T) {
	rt := newRuntime(t)
	c := newClient(t, rt)
	cred := map[string]string{"email": "ada@example.com", "password": "correct horse"}

	require.Equal(t, http.StatusUnauthorized, c.json("GET", "/api/me", nil, nil))
	require.Equal(t, http.StatusCreated, c.json("POST", "/api/signup", cred, nil))
	require.Equal(t, http.StatusConflict, c.json("POST", "/api/signup", cred, nil), "the email is taken")
	require.Equal(t, http.StatusBadRequest, c.json("POST", "/api/signup", map[string]string{"email": "x", "password": "correct horse"}, nil))
	require.Equal(t, http.StatusBadRequest, c.json("POST", "/api/signup", map[string]string{"email": "b@example.com", "password": "short"}, nil))

	wrong := map[string]string{"email": "ada@example.com", "password": "incorrect horse"}
	require.Equal(t, http.StatusUnauthorized, c.json("POST", "/api/login", wrong, nil))
	require.Empty(t, c.cookies)

	require.Equal(t, http.StatusOK, c.json("POST", "/api/login", cred, nil))
	require.Contains(t, c.cookies, sessionCookie)
	var u User
	require.Equal(t, http.StatusOK, c.json("GET", "/api/me", nil, &u))
	require.Equal(t, "ada@example.com", u.Email)

	resp, _ := c.do("POST", "/api/logout", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, c.cookies, "the cookie is cleared")
	require.Equal(t, http.StatusUnauthorized, c.json("GET", "/api/me", nil, nil))
}

// A stolen cookie stops working once its owner logs out: the session is gone from KV.
func TestAuth_LogoutRevokesTheSession(t *testing.T) {
	rt := newRuntime(t)
	c := newClient(t, rt)
	c.signIn("ada@example.com")
	copied := newClient(t, rt)
	copied.cookies[sessionCookie] = c.cookies[sessionCookie]
	require.Equal(t, http.StatusOK, copied.json("GET", "/api/me", nil, nil))

	c.do("POST", "/api/logout", nil)
	require.Equal(t, http.StatusUnauthorized, copied.json("GET", "/api/me", nil, nil))
}
