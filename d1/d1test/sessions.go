package d1test

import (
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/flarego/flarego/d1"
	"github.com/stretchr/testify/require"
)

func init() {
	add("D1-033/SessionConstraints", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		for _, arg := range []string{"", "  ", d1.FirstPrimary, d1.FirstUnconstrained, " first-primary "} {
			s := db.WithSession(arg)
			require.Equal(t, "", s.Bookmark(), "%q", arg)
			r, err := s.Prepare("SELECT count(*) AS n FROM colours").First(ctx)
			require.NoError(t, err)
			require.Equal(t, int64(3), r["n"])
			require.NotEqual(t, "", s.Bookmark())
		}
		// A session from a bookmark starts there, and reads at least that fresh.
		first := db.WithSession(d1.FirstPrimary)
		_, err := first.Prepare("INSERT INTO colours (id, name, rgb) VALUES (4, 'yellow', 0)").Run(ctx)
		require.NoError(t, err)
		b := first.Bookmark()
		next := db.WithSession(b)
		require.Equal(t, b, next.Bookmark())
		r, err := next.Prepare("SELECT name FROM colours WHERE id = 4").First(ctx)
		require.NoError(t, err)
		require.Equal(t, "yellow", r["name"])
		// Something that is neither fails the session's queries.
		bad := db.WithSession("not a bookmark")
		_, err = bad.Prepare("SELECT 1").All(ctx)
		require.ErrorIs(t, err, d1.ErrSession)
		require.ErrorIs(t, err, d1.ErrInvalidBookmark)
	})

	add("D1-034/SessionMethods", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		s := db.WithSession(d1.FirstUnconstrained)
		require.Equal(t, "", s.Bookmark())
		res, err := s.Batch(ctx, s.Prepare("SELECT 1 AS one"), s.Prepare("INSERT INTO colours (id, name, rgb) VALUES (4, 'y', 0)"))
		require.NoError(t, err)
		require.Len(t, res, 2)
		require.NotEqual(t, "", s.Bookmark())
		_, hasExec := reflect.TypeOf(s).MethodByName("Exec")
		require.False(t, hasExec, "a session has no Exec")
	})

	add("D1-035/BookmarksOnlyMoveForward", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		s := db.WithSession(d1.FirstPrimary)
		var wg sync.WaitGroup
		seen := make([]string, 20)
		errs := make([]error, 20)
		for i := range 20 {
			wg.Go(func() {
				_, errs[i] = s.Prepare("INSERT INTO kitchen_sink (int) VALUES (?)").Bind(i).Run(ctx)
				seen[i] = s.Bookmark()
			})
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		final := s.Bookmark()
		for _, b := range seen {
			require.LessOrEqual(t, b, final)
		}
		cur, err := db.CurrentBookmark(ctx)
		require.NoError(t, err)
		require.Equal(t, cur, final)
		// A newer bookmark than any the database reports is kept.
		ahead := "ffffffff-ffffffff-ffffffff-" + strings.Repeat("f", 32)
		s2 := db.WithSession(ahead)
		_, err = s2.Prepare("SELECT 1").All(ctx)
		require.NoError(t, err)
		require.Equal(t, ahead, s2.Bookmark())
	})

	add("D1-036/BookmarkFormat", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		s := db.WithSession("")
		_, err := s.Prepare("SELECT 1").All(ctx)
		require.NoError(t, err)
		b1 := s.Bookmark()
		require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$`, b1)
		_, err = s.Prepare("INSERT INTO colours (id, name, rgb) VALUES (4, 'y', 0)").Run(ctx)
		require.NoError(t, err)
		b2 := s.Bookmark()
		require.Less(t, b1, b2)
	})

	add("D1-037/DirectQueriesExposeNoBookmark", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		s := db.WithSession("")
		_, err := db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (4, 'y', 0)").Run(ctx)
		require.NoError(t, err)
		// A query outside the session does not move the session's bookmark.
		require.Equal(t, "", s.Bookmark())
		_, ok := reflect.TypeOf(d1.Meta{}).FieldByName("Bookmark")
		require.False(t, ok)
	})

	add("D1-038/EveryResponseCarriesTheBookmark", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		s := db.WithSession("")
		_, err := s.Prepare("UPDATE colours SET rgb = 1 WHERE id = 1").Run(ctx)
		require.NoError(t, err)
		cur, err := db.CurrentBookmark(ctx)
		require.NoError(t, err)
		require.Equal(t, cur, s.Bookmark())
		_, err = db.Prepare("UPDATE colours SET rgb = 2 WHERE id = 1").Run(ctx)
		require.NoError(t, err)
		_, err = s.Prepare("SELECT 1").All(ctx)
		require.NoError(t, err)
		cur2, err := db.CurrentBookmark(ctx)
		require.NoError(t, err)
		require.Equal(t, cur2, s.Bookmark())
		require.Less(t, cur, cur2)
	})
}
