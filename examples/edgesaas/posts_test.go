package main

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPosts_CRUD(t *testing.T) {
	rt := newRuntime(t)
	ada, bob, anon := newClient(t, rt), newClient(t, rt), newClient(t, rt)
	ada.signIn("ada@example.com")
	bob.signIn("bob@example.com")

	require.Equal(t, http.StatusUnauthorized, anon.json("POST", "/api/posts", postInput{Title: "x"}, nil))
	require.Equal(t, http.StatusBadRequest, ada.json("POST", "/api/posts", postInput{Title: " "}, nil))

	var p Post
	require.Equal(t, http.StatusCreated, ada.json("POST", "/api/posts", postInput{Title: "Hello", Body: "First post"}, &p))
	require.Equal(t, "ada@example.com", p.Author)
	path := "/api/posts/" + strconv.FormatInt(p.ID, 10)

	// Anyone may read.
	var list []Post
	require.Equal(t, http.StatusOK, anon.json("GET", "/api/posts", nil, &list))
	require.Len(t, list, 1)
	require.Equal(t, p, list[0])
	var got Post
	require.Equal(t, http.StatusOK, anon.json("GET", path, nil, &got))
	require.Equal(t, "First post", got.Body)

	// Only the author may change or delete.
	require.Equal(t, http.StatusForbidden, bob.json("PUT", path, postInput{Title: "Mine now"}, nil))
	require.Equal(t, http.StatusForbidden, bob.json("DELETE", path, nil, nil))
	require.Equal(t, http.StatusOK, ada.json("PUT", path, postInput{Title: "Hello again", Body: "Edited"}, &got))
	require.Equal(t, "Hello again", got.Title)
	require.Equal(t, http.StatusOK, anon.json("GET", path, nil, &got))
	require.Equal(t, "Edited", got.Body)

	require.Equal(t, http.StatusNoContent, ada.json("DELETE", path, nil, nil))
	require.Equal(t, http.StatusNotFound, anon.json("GET", path, nil, nil))
	require.Equal(t, http.StatusNotFound, anon.json("GET", "/api/posts/not-a-number", nil, nil))
	require.Equal(t, http.StatusMethodNotAllowed, anon.json("PATCH", path, nil, nil))
}

// The schema came from migrations/, applied when the runner started.
func TestMigrations_AppliedAtStart(t *testing.T) {
	rt := newRuntime(t)
	var st Stats
	require.Equal(t, http.StatusOK, newClient(t, rt).json("GET", "/api/stats", nil, &st))
	require.Equal(t, Stats{}, st)
}
