package vectorize_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/flarego/flarego/vectorize"
	"github.com/stretchr/testify/require"
)

func TestErrorText_VZ020(t *testing.T) {
	e := &vectorize.Error{Op: vectorize.OpQuery, Code: 40006, Message: "bad", Err: vectorize.ErrInvalidVector}
	require.EqualError(t, e, "VECTOR_QUERY_ERROR (code = 40006): bad")
	require.ErrorIs(t, e, vectorize.ErrInvalidVector)
	require.EqualError(t, &vectorize.Error{Op: vectorize.OpUpsert, Message: "m"}, "VECTOR_UPSERT_ERROR: m")
	require.EqualError(t, &vectorize.Error{Code: 3000, Message: "gone"}, "gone (code = 3000)")
	require.EqualError(t, &vectorize.Error{Message: "plain"}, "plain")
}

func TestFilterCompile_VZ010_VZ011(t *testing.T) {
	conds, err := vectorize.Filter{"b": 1, "a": vectorize.Cond{"$lt": int64(3), "$gte": uint8(1)}, "c": nil}.Compile()
	require.NoError(t, err)
	require.Equal(t, []vectorize.Condition{
		{Path: "a", Op: vectorize.OpGte, Value: 1.0},
		{Path: "a", Op: vectorize.OpLt, Value: 3.0},
		{Path: "b", Op: vectorize.OpEq, Value: 1.0},
		{Path: "c", Op: vectorize.OpEq, Value: nil},
	}, conds)
	conds, err = vectorize.Filter{"t": vectorize.Nin("x", "y")}.Compile()
	require.NoError(t, err)
	require.Equal(t, []any{"x", "y"}, conds[0].Values)

	for name, f := range map[string]vectorize.Filter{
		"empty key":    {"": 1},
		"quote":        {`a"`: 1},
		"dollar":       {"$a": 1},
		"long key":     {strings.Repeat("k", 513): 1},
		"empty seg":    {"a.": 1},
		"bad op":       {"a": vectorize.Cond{"$or": 1}},
		"array value":  {"a": []any{1}},
		"object value": {"a": vectorize.Cond{"$eq": map[string]any{}}},
		"nan":          {"a": vectorize.Gt(nanValue())},
		"too large":    {"a": strings.Repeat("x", 2048)},
	} {
		_, err := f.Compile()
		require.ErrorIs(t, err, vectorize.ErrInvalidFilter, name)
	}
	f, err := vectorize.ParseFilter([]byte(`{"a": {"$in": [1, "x", true]}, "b.c": null}`))
	require.NoError(t, err)
	conds, err = f.Compile()
	require.NoError(t, err)
	require.Equal(t, []any{1.0, "x", true}, conds[0].Values)
	require.Equal(t, "b.c", conds[1].Path)
	_, err = vectorize.ParseFilter([]byte(`[1]`))
	require.ErrorIs(t, err, vectorize.ErrInvalidFilter)
}

func nanValue() float64 {
	var z float64
	return z / z
}

func TestQueryOptionsJSON_VZ007_VZ009(t *testing.T) {
	var o vectorize.QueryOptions
	require.NoError(t, json.Unmarshal([]byte(`{"topK": 3, "returnValues": true, "returnMetadata": "indexed", "namespace": "n", "filter": {"a": {"$ne": 1}}}`), &o))
	require.Equal(t, 3, o.TopK)
	require.True(t, o.ReturnValues)
	require.Equal(t, vectorize.MetadataIndexed, o.ReturnMetadata)
	require.Equal(t, vectorize.Cond{"$ne": 1.0}, o.Filter["a"])
	err := json.Unmarshal([]byte(`{"returnMetadata": 1}`), &o)
	var e *vectorize.Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, `Invalid returnMetadata option. Expected: true, false, "none", "indexed" or "all"; got: 1`, e.Message)
}

func TestIndexedValues_VZ013(t *testing.T) {
	md := map[string]any{"s": strings.Repeat("é", 33), "n": 2.5, "b": true, "o": map[string]any{"x": "y"}, "wrong": 1.0}
	iv := vectorize.IndexedValues(md, []vectorize.MetadataIndex{
		{PropertyName: "s", IndexType: vectorize.String},
		{PropertyName: "n", IndexType: vectorize.Number},
		{PropertyName: "b", IndexType: vectorize.Boolean},
		{PropertyName: "o.x", IndexType: vectorize.String},
		{PropertyName: "wrong", IndexType: vectorize.String},
		{PropertyName: "missing", IndexType: vectorize.Number},
	})
	require.Equal(t, map[string]any{"s": strings.Repeat("é", 32), "n": 2.5, "b": true, "o.x": "y", "wrong": nil, "missing": nil}, iv)
	require.Equal(t, map[string]any{"s": strings.Repeat("é", 32), "n": 2.5, "b": true, "o": map[string]any{"x": "y"}}, vectorize.NestIndexed(iv))
	require.Equal(t, "ab", vectorize.TruncateUTF8("abé", 3))
}

func TestReadNDJSON(t *testing.T) {
	var got []string
	var lastErr error
	for v, err := range vectorize.ReadNDJSON(strings.NewReader("{\"id\":\"a\",\"values\":[1]}\n\n{\"id\":\"b\",\"values\":[2]}\nnot json\n")) {
		if err != nil {
			lastErr = err
			break
		}
		got = append(got, v.ID)
	}
	require.Equal(t, []string{"a", "b"}, got)
	require.ErrorContains(t, lastErr, "ndjson line 4")
}

func TestMutationIDShape_VZ004(t *testing.T) {
	a, b := vectorize.NewMutationID(), vectorize.NewMutationID()
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, a)
	require.NotEqual(t, a, b)
}
