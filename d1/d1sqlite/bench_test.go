package d1sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/d1sqlite"
	_ "modernc.org/sqlite"
)

const benchRows = 10_000

type benchUser struct {
	ID    int64  `db:"id"`
	Name  string `db:"name"`
	Email string `db:"email"`
}

// benchDB opens a file database with benchRows users.
func benchDB(b *testing.B, opts d1sqlite.Options) (*d1.Database, string) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.sqlite")
	drv, err := d1sqlite.Open(path, opts)
	if err != nil {
		b.Fatal(err)
	}
	db := d1.New(drv)
	b.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if _, err := db.Prepare("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL)").Run(ctx); err != nil {
		b.Fatal(err)
	}
	ins := db.Prepare("INSERT INTO users (id, name, email) VALUES (?, ?, ?)")
	var batch []*d1.Statement
	for i := 1; i <= benchRows; i++ {
		batch = append(batch, ins.Bind(i, fmt.Sprintf("user %d", i), fmt.Sprintf("u%d@example.com", i)))
		if len(batch) == 1000 {
			if _, err := db.Batch(ctx, batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return db, path
}

// BenchmarkPointSelect compares a primary-key lookup through the binding, with the result
// cache (on by default; warmed with every key first) and without, with the same lookup
// through database/sql and the modernc driver on the same file.
func BenchmarkPointSelect(b *testing.B) {
	ctx := context.Background()
	const q = "SELECT id, name, email FROM users WHERE id = ?"
	var path string
	for _, c := range []struct {
		name string
		opts d1sqlite.Options
	}{{"d1", d1sqlite.Options{}}, {"d1-nocache", d1sqlite.Options{NoResultCache: true}}} {
		db, p := benchDB(b, c.opts)
		path = p
		warm(b, db, q)
		b.Run(c.name+"/First", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				row, err := db.Prepare(q).Bind(i%benchRows + 1).First(ctx)
				if err != nil || row == nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/FirstT", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				_, ok, err := d1.First[benchUser](ctx, db.Prepare(q).Bind(i%benchRows+1))
				if err != nil || !ok {
					b.Fatal(err)
				}
			}
		})
	}
	plain, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer plain.Close()
	b.Run("database-sql/QueryRow", func(b *testing.B) {
		b.ReportAllocs()
		var u benchUser
		for i := 0; b.Loop(); i++ {
			if err := plain.QueryRowContext(ctx, q, i%benchRows+1).Scan(&u.ID, &u.Name, &u.Email); err != nil {
				b.Fatal(err)
			}
		}
	})
	stmt, err := plain.PrepareContext(ctx, q)
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	b.Run("database-sql/Stmt", func(b *testing.B) {
		b.ReportAllocs()
		var u benchUser
		for i := 0; b.Loop(); i++ {
			if err := stmt.QueryRowContext(ctx, i%benchRows+1).Scan(&u.ID, &u.Name, &u.Email); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPointSelectParallel is BenchmarkPointSelect's lookup from 32 goroutines per CPU,
// as a server with many connections runs it, with the result cache and without.
func BenchmarkPointSelectParallel(b *testing.B) {
	ctx := context.Background()
	const q = "SELECT id, name, email FROM users WHERE id = ?"
	for _, c := range []struct {
		name string
		opts d1sqlite.Options
	}{{"d1", d1sqlite.Options{}}, {"d1-nocache", d1sqlite.Options{NoResultCache: true}}} {
		db, _ := benchDB(b, c.opts)
		warm(b, db, q)
		b.Run(c.name+"/First", func(b *testing.B) {
			var next atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(32)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					row, err := db.Prepare(q).Bind(next.Add(1)%benchRows + 1).First(ctx)
					if err != nil || row == nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// warm reads every key once, so that a cached run measures hits only.
func warm(b *testing.B, db *d1.Database, q string) {
	b.Helper()
	for i := 1; i <= benchRows; i++ {
		if _, err := db.Prepare(q).Bind(i).First(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInsertParallel measures single-row inserts from concurrent callers: each returns
// once its row is committed.
func BenchmarkInsertParallel(b *testing.B) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		opts d1sqlite.Options
	}{{"history", d1sqlite.Options{}}, {"no-history", d1sqlite.Options{Retention: -1}}} {
		b.Run("d1/"+c.name, func(b *testing.B) {
			db, _ := benchDB(b, c.opts)
			ins := db.Prepare("INSERT INTO users (name, email) VALUES (?, ?)")
			b.ReportAllocs()
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := ins.Bind("n", "e").Run(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
	b.Run("database-sql/autocommit", func(b *testing.B) {
		_, path := benchDB(b, d1sqlite.Options{Retention: -1})
		plain, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)")
		if err != nil {
			b.Fatal(err)
		}
		defer plain.Close()
		plain.SetMaxOpenConns(1)
		var n atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				n.Add(1)
				if _, err := plain.ExecContext(ctx, "INSERT INTO users (name, email) VALUES (?, ?)", "n", "e"); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
