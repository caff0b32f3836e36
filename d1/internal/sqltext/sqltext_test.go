package sqltext

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func texts(stmts []Statement) []string {
	var out []string
	for _, s := range stmts {
		out = append(out, s.Text)
	}
	return out
}

func TestSplit(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"SELECT 1", []string{"SELECT 1"}},
		{"SELECT 1;", []string{"SELECT 1;"}},
		{"SELECT 1; SELECT 2;  -- trailing\n", []string{"SELECT 1;", "SELECT 2;"}},
		{";;  ;", nil},
		{"-- only a comment", nil},
		{"/* a */ SELECT ';' /* ; */; SELECT \"a;b\"", []string{"SELECT ';' /* ; */;", "SELECT \"a;b\""}},
		{"SELECT [a;b], `c;d` FROM t;", []string{"SELECT [a;b], `c;d` FROM t;"}},
		{"SELECT 'it''s;'; SELECT 2", []string{"SELECT 'it''s;';", "SELECT 2"}},
		{
			"CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = 1; DELETE FROM u; END; SELECT 1;",
			[]string{"CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = 1; DELETE FROM u; END;", "SELECT 1;"},
		},
		{
			"create temp trigger tr after insert on t begin select case when 1 then 2 end; end;select 3",
			[]string{"create temp trigger tr after insert on t begin select case when 1 then 2 end; end;", "select 3"},
		},
		{"SELECT 1 -- c;\n; SELECT 2", []string{"SELECT 1 -- c;\n;", "SELECT 2"}},
	}
	for _, c := range cases {
		require.Equal(t, c.want, texts(Split(c.in)), c.in)
	}
}

func TestParams(t *testing.T) {
	cases := []struct {
		in     string
		params int
		named  string
	}{
		{"SELECT 1", 0, ""},
		{"SELECT ?, ?", 2, ""},
		{"INSERT INTO t VALUES (?3, ?1, ?2)", 3, ""},
		{"SELECT ?1, ?1", 1, ""},
		{"SELECT ?2, ?", 3, ""},
		{"SELECT '?', \"?\", ? -- ?\n", 1, ""},
		{"SELECT :a, :a, @b", 2, ":a"},
		{"SELECT $x", 1, "$x"},
	}
	for _, c := range cases {
		s := Split(c.in)
		require.Len(t, s, 1, c.in)
		require.Equal(t, c.params, s[0].Params, c.in)
		require.Equal(t, c.named, s[0].Named, c.in)
	}
}

func TestIsEmpty(t *testing.T) {
	require.True(t, IsEmpty(""))
	require.True(t, IsEmpty("  \n\t-- x\n/* y */ ;"))
	require.False(t, IsEmpty("-- x\nSELECT 1"))
}
