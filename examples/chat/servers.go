package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/worker"
)

// Server is a row of servers.
type Server struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	CreatedAt string `json:"createdAt" db:"created_at"`
}

// ChannelInfo is a row of channels.
type ChannelInfo struct {
	ID        int64  `json:"id"`
	ServerID  int64  `json:"serverId" db:"server_id"`
	Name      string `json:"name"`
	CreatedAt string `json:"createdAt" db:"created_at"`
}

var channelName = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

func listServers(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	servers, err := d1.All[Server](ctx, env.DB.Prepare(`SELECT id, name, created_at FROM servers ORDER BY id`))
	if err != nil {
		return nil, err
	}
	return worker.JSON(http.StatusOK, servers)
}

func createServer(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	var in struct{ Name string }
	if err := decode(req, &in); err != nil || strings.TrimSpace(in.Name) == "" || len(in.Name) > 64 {
		return fail(http.StatusBadRequest, `send {"name": "..."}, 1 to 64 bytes`)
	}
	s, _, err := d1.First[Server](ctx, env.DB.Prepare(
		`INSERT INTO servers (name, created_at) VALUES (?, ?) RETURNING id, name, created_at`).
		Bind(strings.TrimSpace(in.Name), now()))
	if err != nil {
		return nil, err
	}
	return worker.JSON(http.StatusCreated, s)
}

func listChannels(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	sid, ok, err := findServer(req, env, ctx)
	if err != nil || !ok {
		return notFound(err, "no such server")
	}
	channels, err := d1.All[ChannelInfo](ctx, env.DB.Prepare(
		`SELECT id, server_id, name, created_at FROM channels WHERE server_id = ? ORDER BY name`).Bind(sid))
	if err != nil {
		return nil, err
	}
	return worker.JSON(http.StatusOK, channels)
}

func createChannel(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	sid, ok, err := findServer(req, env, ctx)
	if err != nil || !ok {
		return notFound(err, "no such server")
	}
	var in struct{ Name string }
	if err := decode(req, &in); err != nil || !channelName.MatchString(in.Name) {
		return fail(http.StatusBadRequest, "channel names are 1 to 32 lowercase letters, digits or dashes")
	}
	c, _, err := d1.First[ChannelInfo](ctx, env.DB.Prepare(
		`INSERT INTO channels (server_id, name, created_at) VALUES (?, ?, ?) RETURNING id, server_id, name, created_at`).
		Bind(sid, in.Name, now()))
	var sqlErr *d1.SQLiteError
	if errors.As(err, &sqlErr) && sqlErr.Code == 2067 { // SQLITE_CONSTRAINT_UNIQUE
		return fail(http.StatusConflict, "the server has a channel of that name")
	}
	if err != nil {
		return nil, err
	}
	return worker.JSON(http.StatusCreated, c)
}

// findServer checks the {server_id} of the path.
func findServer(req *http.Request, env Env, ctx *worker.Context) (int64, bool, error) {
	id, err := strconv.ParseInt(req.PathValue("server_id"), 10, 64)
	if err != nil {
		return 0, false, nil
	}
	_, ok, err := d1.First[int64](ctx, env.DB.Prepare(`SELECT id FROM servers WHERE id = ?`).Bind(id))
	return id, ok, err
}

// findChannel checks that {channel_id} is a channel of {server_id}.
func findChannel(req *http.Request, env Env, ctx *worker.Context) (int64, bool, error) {
	sid, err1 := strconv.ParseInt(req.PathValue("server_id"), 10, 64)
	cid, err2 := strconv.ParseInt(req.PathValue("channel_id"), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false, nil
	}
	_, ok, err := d1.First[int64](ctx, env.DB.Prepare(
		`SELECT id FROM channels WHERE id = ? AND server_id = ?`).Bind(cid, sid))
	return cid, ok, err
}

func decode(req *http.Request, v any) error {
	return json.NewDecoder(io.LimitReader(req.Body, 1<<16)).Decode(v)
}

func fail(status int, msg string) (*http.Response, error) {
	return worker.JSON(status, map[string]string{"error": msg})
}

func notFound(err error, msg string) (*http.Response, error) {
	if err != nil {
		return nil, err
	}
	return fail(http.StatusNotFound, msg)
}

func now() string { return time.Now().UTC().Format(time.RFC3339) }
