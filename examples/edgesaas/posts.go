package main

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/worker"
)

// Post is a row of posts with its author's email.
type Post struct {
	ID        int64  `json:"id"`
	AuthorID  int64  `json:"authorId" db:"author_id"`
	Author    string `json:"author"`
	Title     string `json:"title"`
	Body      string `json:"body"`
	CreatedAt string `json:"createdAt" db:"created_at"`
	UpdatedAt string `json:"updatedAt" db:"updated_at"`
}

type postInput struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

func (p postInput) check() string {
	switch {
	case strings.TrimSpace(p.Title) == "":
		return "title is required"
	case len(p.Title) > 200:
		return "title is longer than 200 bytes"
	case len(p.Body) > 100_000:
		return "body is longer than 100,000 bytes"
	}
	return ""
}

const selectPosts = `SELECT p.id, p.author_id, u.email AS author, p.title, p.body, p.created_at, p.updated_at
FROM posts p JOIN users u ON u.id = p.author_id`

func listPosts(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	posts, err := d1.All[Post](ctx, env.DB.Prepare(selectPosts+` ORDER BY p.created_at DESC, p.id DESC LIMIT 50`))
	if err != nil {
		return nil, err
	}
	return worker.JSON(http.StatusOK, posts)
}

func getPost(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	p, found, err := findPost(req, env, ctx)
	if err != nil || !found {
		return notFoundOr(err)
	}
	return worker.JSON(http.StatusOK, p)
}

func createPost(req *http.Request, env Env, ctx *worker.Context, s Session) (*http.Response, error) {
	in, err := decode[postInput](req)
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	if msg := in.check(); msg != "" {
		return fail(http.StatusBadRequest, msg)
	}
	t := now()
	// RETURNING gives the new id in the same statement.
	id, err := env.DB.Prepare(`INSERT INTO posts (author_id, title, body, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`).Bind(s.UserID, in.Title, in.Body, t, t).FirstColumn(ctx, "id")
	if err != nil {
		return nil, err
	}
	return worker.JSON(http.StatusCreated, Post{ID: id.(int64), AuthorID: s.UserID, Author: s.Email,
		Title: in.Title, Body: in.Body, CreatedAt: t, UpdatedAt: t})
}

func updatePost(req *http.Request, env Env, ctx *worker.Context, s Session) (*http.Response, error) {
	in, err := decode[postInput](req)
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	if msg := in.check(); msg != "" {
		return fail(http.StatusBadRequest, msg)
	}
	p, found, err := findPost(req, env, ctx)
	if err != nil || !found {
		return notFoundOr(err)
	}
	if p.AuthorID != s.UserID {
		return fail(http.StatusForbidden, "only the author may edit a post")
	}
	p.Title, p.Body, p.UpdatedAt = in.Title, in.Body, now()
	if _, err := env.DB.Prepare(`UPDATE posts SET title = ?, body = ?, updated_at = ? WHERE id = ?`).
		Bind(p.Title, p.Body, p.UpdatedAt, p.ID).Run(ctx); err != nil {
		return nil, err
	}
	return worker.JSON(http.StatusOK, p)
}

func deletePost(req *http.Request, env Env, ctx *worker.Context, s Session) (*http.Response, error) {
	p, found, err := findPost(req, env, ctx)
	if err != nil || !found {
		return notFoundOr(err)
	}
	if p.AuthorID != s.UserID {
		return fail(http.StatusForbidden, "only the author may delete a post")
	}
	if _, err := env.DB.Prepare(`DELETE FROM posts WHERE id = ?`).Bind(p.ID).Run(ctx); err != nil {
		return nil, err
	}
	return worker.NewResponse(http.StatusNoContent, nil, nil), nil
}

// findPost loads the post named by the {id} path segment.
func findPost(req *http.Request, env Env, ctx *worker.Context) (Post, bool, error) {
	id, err := strconv.ParseInt(req.PathValue("id"), 10, 64)
	if err != nil {
		return Post{}, false, nil
	}
	return d1.First[Post](ctx, env.DB.Prepare(selectPosts+` WHERE p.id = ?`).Bind(id))
}

func notFoundOr(err error) (*http.Response, error) {
	if err != nil {
		return nil, err
	}
	return fail(http.StatusNotFound, "no such post")
}
