package d1_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/flarego/flarego/d1"
	"github.com/flarego/flarego/d1/d1sqlite"
)

func memoryDB() *d1.Database {
	drv, err := d1sqlite.OpenMemory(d1sqlite.Options{})
	if err != nil {
		panic(err)
	}
	return d1.New(drv)
}

func Example() {
	ctx := context.Background()
	db := memoryDB() // in a worker: env.DB, filled in by the runner
	defer db.Close()

	db.Exec(ctx, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
	res, err := db.Prepare("INSERT INTO users (name) VALUES (?)").Bind("Ada").Run(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("inserted", res.Meta.LastRowID, "changes", res.Meta.Changes)

	row, err := db.Prepare("SELECT * FROM users WHERE name = ?").Bind("Ada").First(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println(row["id"], row["name"])

	_, err = db.Prepare("SELECT * FROM nope").All(ctx)
	fmt.Println(err)
	// Output:
	// inserted 1 changes 1
	// 1 Ada
	// D1_ERROR: no such table: nope: SQLITE_ERROR
}

func ExampleAll() {
	ctx := context.Background()
	db := memoryDB()
	defer db.Close()
	d1.Execute(ctx, db, `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT);
INSERT INTO users (name, email) VALUES ('Ada', 'ada@example.com'), ('Linus', NULL);`)

	type User struct {
		ID    int64   `db:"id"`
		Name  string  `db:"name"`
		Email *string `db:"email"`
	}
	users, err := d1.All[User](ctx, db.Prepare("SELECT * FROM users ORDER BY id"))
	if err != nil {
		panic(err)
	}
	for _, u := range users {
		fmt.Println(u.ID, u.Name, u.Email != nil)
	}
	n, _, _ := d1.First[int64](ctx, db.Prepare("SELECT count(*) FROM users"))
	fmt.Println(n, "users")
	// Output:
	// 1 Ada true
	// 2 Linus false
	// 2 users
}

func ExampleDatabase_Batch() {
	ctx := context.Background()
	db := memoryDB()
	defer db.Close()
	db.Exec(ctx, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0))")
	db.Exec(ctx, "INSERT INTO accounts VALUES (1, 100), (2, 0)")

	move := func(from, to, amount int) error {
		debit := db.Prepare("UPDATE accounts SET balance = balance - ? WHERE id = ?")
		credit := db.Prepare("UPDATE accounts SET balance = balance + ? WHERE id = ?")
		_, err := db.Batch(ctx, debit.Bind(amount, from), credit.Bind(amount, to))
		return err
	}
	fmt.Println(move(1, 2, 60))
	fmt.Println(move(1, 2, 60)) // would overdraw: neither update happens
	rows, _ := db.Prepare("SELECT id, balance FROM accounts ORDER BY id").Raw(ctx)
	fmt.Println(rows)
	// Output:
	// <nil>
	// D1_ERROR: CHECK constraint failed: balance >= 0: SQLITE_CONSTRAINT
	// [[1 40] [2 60]]
}

func ExampleDatabase_WithSession() {
	ctx := context.Background()
	db := memoryDB()
	defer db.Close()
	db.Exec(ctx, "CREATE TABLE notes (body TEXT)")

	// A request writes and hands its bookmark on (in a header or cookie)…
	s := db.WithSession(d1.FirstPrimary)
	s.Prepare("INSERT INTO notes VALUES ('hello')").Run(ctx)
	bookmark := s.Bookmark()

	// …and the next request's session starts at least that fresh.
	next := db.WithSession(bookmark)
	n, _ := next.Prepare("SELECT count(*) AS n FROM notes").FirstColumn(ctx, "n")
	fmt.Println(n, next.Bookmark() >= bookmark)
	// Output: 1 true
}

func ExampleMigrations_Apply() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "migrations")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "0000_users.sql"), []byte("CREATE TABLE users (id INTEGER PRIMARY KEY);"), 0o644)
	os.WriteFile(filepath.Join(dir, "0001_posts.sql"), []byte("CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));"), 0o644)

	db := memoryDB()
	defer db.Close()
	m := d1.Migrations{Dir: dir}
	applied, err := m.Apply(ctx, db)
	fmt.Println(applied, err)
	applied, err = m.Apply(ctx, db) // nothing left to do
	fmt.Println(applied, err)
	// Output:
	// [0000_users.sql 0001_posts.sql] <nil>
	// [] <nil>
}

func ExampleDatabase_Restore() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "d1")
	defer os.RemoveAll(dir)
	db, err := d1sqlite.OpenDatabase(dir, "my-database", d1sqlite.Options{})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	db.Exec(ctx, "CREATE TABLE t (x)\nINSERT INTO t VALUES ('before')")
	mark, _ := db.CurrentBookmark(ctx)
	db.Exec(ctx, "DELETE FROM t")

	count := func() any {
		n, _ := db.Prepare("SELECT count(*) AS n FROM t").FirstColumn(ctx, "n")
		return n
	}
	fmt.Println("rows now:", count())
	undo, err := db.Restore(ctx, mark)
	if err != nil {
		panic(err)
	}
	fmt.Println("rows after restore:", count())
	db.Restore(ctx, undo) // and back again
	fmt.Println("rows after undo:", count())
	_, err = db.Restore(ctx, "first-primary")
	fmt.Println(errors.Is(err, d1.ErrInvalidBookmark))
	// Output:
	// rows now: 0
	// rows after restore: 1
	// rows after undo: 0
	// true
}
