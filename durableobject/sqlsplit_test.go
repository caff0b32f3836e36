package durableobject

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSplitSQL(t *testing.T) {
	texts := func(sql string) []string {
		sts, err := splitSQL(sql)
		require.NoError(t, err, sql)
		var out []string
		for _, s := range sts {
			out = append(out, s.text)
		}
		return out
	}
	require.Equal(t, []string{"SELECT 1;", " SELECT 2"}, texts("SELECT 1; SELECT 2"))
	require.Equal(t, []string{"SELECT ';' AS a;", ` SELECT "x;y";`}, texts(`SELECT ';' AS a; SELECT "x;y";`))
	require.Equal(t, []string{"SELECT 1 /* ; */ -- ;\n + 1;"}, texts("SELECT 1 /* ; */ -- ;\n + 1;"))
	trig := "CREATE TEMP TRIGGER t AFTER INSERT ON x BEGIN INSERT INTO y VALUES (1); DELETE FROM z; END;"
	require.Equal(t, []string{trig, " SELECT 1;"}, texts(trig+" SELECT 1;"))
	require.Equal(t, []string{"SELECT [a;b], `c;d`;"}, texts("SELECT [a;b], `c;d`;"))
	for _, bad := range []string{"", " ", ";", "-- c", "/* c */", "SELECT 1;;", "SELECT 1; -- c", "; SELECT 1"} {
		_, err := splitSQL(bad)
		require.ErrorIs(t, err, ErrNoStatement, bad)
	}
}

func TestParams(t *testing.T) {
	for sql, want := range map[string][]string{
		"SELECT 1":               nil,
		"SELECT ?, ?":            {"", ""},
		"SELECT ?3":              {"", "", ""},
		"SELECT :a, @b, :a, $c":  {":a", "@b", "$c"},
		"SELECT '?', \"?\", ?":   {""},
		"SELECT x FROM t -- ?\n": nil,
	} {
		sts, err := splitSQL(sql)
		require.NoError(t, err)
		require.Equal(t, want, sts[0].params(), sql)
	}
}
