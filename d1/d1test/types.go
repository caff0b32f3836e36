package d1test

import (
	"database/sql"
	"math"
	"testing"
	"time"

	"github.com/flarego/flarego/d1"
	"github.com/stretchr/testify/require"
)

func init() {
	add("D1-003/BindValueTypes", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		s := "ptr"
		cases := []struct {
			in       any
			wantType string
			want     any
		}{
			{42, "integer", int64(42)},
			{int8(-3), "integer", int64(-3)},
			{uint32(7), "integer", int64(7)},
			{3.141, "real", 3.141},
			{float32(0.5), "real", 0.5},
			{"🙈", "text", "🙈"},
			{true, "integer", int64(1)},
			{false, "integer", int64(0)},
			{nil, "null", nil},
			{[]byte("Walshy"), "blob", []byte("Walshy")},
			{[]int{1, 2, 255}, "blob", []byte{1, 2, 255}},
			{[]any{0, 128}, "blob", []byte{0, 128}},
			{[]byte{}, "blob", []byte{}},
			{&s, "text", "ptr"},
			{(*string)(nil), "null", nil},
			{sql.NullString{String: "v", Valid: true}, "text", "v"},
			{sql.NullInt64{}, "null", nil},
			{math.NaN(), "null", nil},
		}
		for _, c := range cases {
			row, err := db.Prepare("SELECT typeof(?1) AS t, ?1 AS v").Bind(c.in).First(ctx)
			require.NoError(t, err, "%#v", c.in)
			require.Equal(t, c.wantType, row["t"], "%#v", c.in)
			require.Equal(t, c.want, row["v"], "%#v", c.in)
		}
		// Stored and read back through a table, as the local simulator's suite does.
		blob := []byte("Walshy")
		_, err := db.Prepare("INSERT INTO kitchen_sink (id, int, real, text, blob) VALUES (?, ?, ?, ?, ?)").Bind(1, 42, 3.141, "🙈", blob).Run(ctx)
		require.NoError(t, err)
		r, err := db.Prepare("SELECT * FROM kitchen_sink").All(ctx)
		require.NoError(t, err)
		require.Equal(t, []map[string]any{{"id": int64(1), "int": int64(42), "real": 3.141, "text": "🙈", "blob": blob}}, r.Results)
		_, err = db.Prepare("UPDATE kitchen_sink SET blob = ?").Bind(nil).Run(ctx)
		require.NoError(t, err)
		v, err := db.Prepare("SELECT blob FROM kitchen_sink").FirstColumn(ctx, "blob")
		require.NoError(t, err)
		require.Nil(t, v)
	})

	add("D1-004/UnsupportedBindTypes", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		cases := []struct {
			in   any
			want string
		}{
			{map[string]int{"a": 1}, "D1_TYPE_ERROR: Type 'object' not supported for value '[object Object]'"},
			{struct{ A int }{1}, "D1_TYPE_ERROR: Type 'object' not supported for value '[object Object]'"},
			{func() {}, "D1_TYPE_ERROR: Type 'function' not supported for value 'function'"},
			{uint64(math.MaxUint64), "D1_TYPE_ERROR: Type 'bigint' not supported for value '18446744073709551615'"},
			{[]int{1, 300}, "D1_TYPE_ERROR: Type 'object' not supported for value '1,300'"},
		}
		for _, c := range cases {
			st := db.Prepare("SELECT ?").Bind(c.in) // Bind does not fail: calls chain
			_, err := st.All(ctx)
			errText(t, err, c.want)
			require.ErrorIs(t, err, d1.ErrType)
			_, err = db.Batch(ctx, st)
			errText(t, err, c.want)
		}
		_, err := db.Prepare("SELECT ?").Bind(time.Unix(0, 0)).First(ctx)
		require.ErrorIs(t, err, d1.ErrType)
	})

	add("D1-005/NumberedAndAnonymousParameters", func(t *testing.T, db *d1.Database) {
		seed(t, db)
		_, err := db.Prepare("INSERT INTO colours (id, name, rgb) VALUES (?3, ?1, ?2)").Bind("yellow", 0xffff00, 4).Run(ctx)
		require.NoError(t, err)
		row, err := db.Prepare("SELECT * FROM colours WHERE id = ?1").Bind(4).First(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]any{"id": int64(4), "name": "yellow", "rgb": int64(0xffff00)}, row)
		row, err = db.Prepare("SELECT ?1 AS a, ?1 AS b, ? AS c").Bind(1, 2).First(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]any{"a": int64(1), "b": int64(1), "c": int64(2)}, row)
		for _, q := range []string{"SELECT :name", "SELECT @name", "SELECT $name"} {
			_, err = db.Prepare(q).Bind(1).All(ctx)
			require.ErrorIs(t, err, d1.ErrNamedParams, q)
		}
		_, err = db.Prepare("SELECT ?101").Bind(make([]any, 101)...).All(ctx)
		require.Error(t, err)
		require.ErrorIs(t, err, d1.ErrD1)
		_, err = db.Prepare("SELECT ?0").All(ctx)
		require.ErrorIs(t, err, d1.ErrD1)
		_, err = db.Prepare("SELECT ?, ?").Bind(1).All(ctx)
		errText(t, err, "D1_ERROR: Wrong number of parameter bindings for SQL query.")
		_, err = db.Prepare("SELECT ?").Bind(1, 2).All(ctx)
		require.ErrorIs(t, err, d1.ErrWrongParamCount)
	})

	add("D1-026/ReadValueTypes", func(t *testing.T, db *d1.Database) {
		row, err := db.Prepare(`SELECT 1 AS i, 9007199254740993 AS big, 1.5 AS r, 2.0 AS r2, 'x' AS s, NULL AS n, x'00ff' AS b, x'' AS e, ? AS t, ? AS f`).Bind(true, false).First(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]any{
			"i": int64(1), "big": int64(9007199254740993), "r": 1.5, "r2": 2.0, "s": "x", "n": nil,
			"b": []byte{0, 0xff}, "e": []byte{}, "t": int64(1), "f": int64(0),
		}, row)
		_, err = db.Exec(ctx, "CREATE TABLE dates (a DATETIME, b TIMESTAMP, c DATE)")
		require.NoError(t, err)
		_, err = db.Prepare("INSERT INTO dates VALUES (?, ?, ?)").Bind("2024-01-02T03:04:05.123Z", "2024-01-02 03:04:05", "2024-01-02").Run(ctx)
		require.NoError(t, err)
		// Text in date-typed columns comes back exactly as stored.
		row, err = db.Prepare("SELECT * FROM dates").First(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]any{"a": "2024-01-02T03:04:05.123Z", "b": "2024-01-02 03:04:05", "c": "2024-01-02"}, row)
	})
}
