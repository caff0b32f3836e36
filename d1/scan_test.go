package d1_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/d1test"
	"github.com/stretchr/testify/require"
)

type audit struct {
	CreatedAt time.Time `db:"created_at"`
}

type post struct {
	audit
	ID       int64             `db:"id"`
	Title    string            `json:"title"`
	Body     *string           `db:"body"`
	Score    float64           // matched by name
	Views    int32             `db:"views"`
	Draft    bool              `db:"draft"`
	Tags     []string          `db:"tags"` // JSON text
	Meta     map[string]string `db:"meta"`
	Cover    []byte            `db:"cover"`
	Author   sql.NullString    `db:"author"`
	Ignored  string            `db:"-"`
	unexport int
}

func TestTypedScan(t *testing.T) {
	db := d1test.Open(t, "")
	_, err := d1.Execute(ctx, db, `CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT, body TEXT, score REAL, views INTEGER,
		draft INTEGER, tags TEXT, meta TEXT, cover BLOB, author TEXT, created_at TEXT, extra TEXT);
INSERT INTO posts VALUES (1, 'Hello', 'text', 4.5, 10, 1, '["a","b"]', '{"k":"v"}', x'0102', 'ann', '2024-01-02 03:04:05', 'x');
INSERT INTO posts VALUES (2, 'Empty', NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, '2024-01-02T03:04:05.5Z', NULL);`)
	require.NoError(t, err)

	posts, err := d1.All[post](ctx, db.Prepare("SELECT * FROM posts ORDER BY id"))
	require.NoError(t, err)
	require.Len(t, posts, 2)
	body := "text"
	require.Equal(t, post{
		audit: audit{CreatedAt: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		ID:    1, Title: "Hello", Body: &body, Score: 4.5, Views: 10, Draft: true,
		Tags: []string{"a", "b"}, Meta: map[string]string{"k": "v"}, Cover: []byte{1, 2},
		Author: sql.NullString{String: "ann", Valid: true},
	}, posts[0])
	require.Nil(t, posts[1].Body)
	require.False(t, posts[1].Author.Valid)
	require.Equal(t, time.Date(2024, 1, 2, 3, 4, 5, 500_000_000, time.UTC), posts[1].CreatedAt)

	p, ok, err := d1.First[post](ctx, db.Prepare("SELECT id, title FROM posts WHERE id = ?").Bind(2))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "Empty", p.Title)
	_, ok, err = d1.First[post](ctx, db.Prepare("SELECT * FROM posts WHERE id = 99"))
	require.NoError(t, err)
	require.False(t, ok)

	// Scalars take the first column; maps take the row object.
	ids, err := d1.All[int64](ctx, db.Prepare("SELECT id FROM posts ORDER BY id"))
	require.NoError(t, err)
	require.Equal(t, []int64{1, 2}, ids)
	title, ok, err := d1.First[string](ctx, db.Prepare("SELECT title FROM posts WHERE id = 1"))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "Hello", title)
	n, _, err := d1.First[*int](ctx, db.Prepare("SELECT views FROM posts WHERE id = 2"))
	require.NoError(t, err)
	require.Nil(t, n)
	rows, err := d1.All[map[string]any](ctx, db.Prepare("SELECT id, title FROM posts ORDER BY id"))
	require.NoError(t, err)
	require.Equal(t, []map[string]any{{"id": int64(1), "title": "Hello"}, {"id": int64(2), "title": "Empty"}}, rows)

	// Conversion errors name the column.
	type bad struct {
		Title int `db:"title"`
	}
	_, err = d1.All[bad](ctx, db.Prepare("SELECT title FROM posts"))
	require.ErrorContains(t, err, `column "title"`)
	type small struct {
		Views int8 `db:"views"`
	}
	_, err = d1.All[small](ctx, db.Prepare("SELECT 300 AS views"))
	require.ErrorContains(t, err, "overflows")
	// Bind errors and SQL errors come through unchanged.
	_, err = d1.All[post](ctx, db.Prepare("SELECT ?").Bind(struct{}{}))
	require.ErrorIs(t, err, d1.ErrType)
	_, _, err = d1.First[post](ctx, db.Prepare("SELECT * FROM nope"))
	require.ErrorContains(t, err, "no such table")
}
