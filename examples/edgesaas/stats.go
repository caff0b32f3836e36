package main

import (
	"net/http"

	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/worker"
)

// Stats are the numbers on the admin dashboard.
type Stats struct {
	Users    int64 `json:"users"`
	Posts    int64 `json:"posts"`
	Sessions int   `json:"sessions"`
}

func stats(req *http.Request, env Env, ctx *worker.Context) (*http.Response, error) {
	// One batch is one round trip and one consistent snapshot of both tables.
	res, err := env.DB.Batch(ctx,
		env.DB.Prepare(`SELECT count(*) AS n FROM users`),
		env.DB.Prepare(`SELECT count(*) AS n FROM posts`))
	if err != nil {
		return nil, err
	}
	st := Stats{Users: res[0].Results[0]["n"].(int64), Posts: res[1].Results[0]["n"].(int64)}
	for _, err := range env.Sessions.Keys(ctx, kv.ListOptions{Prefix: "session:"}) {
		if err != nil {
			return nil, err
		}
		st.Sessions++
	}
	return worker.JSON(http.StatusOK, st)
}
