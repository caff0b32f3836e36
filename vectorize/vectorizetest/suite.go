package vectorizetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/flarego/flarego/vectorize"
	"github.com/stretchr/testify/require"
)

// Factory returns a new, empty driver for cfg; the suite closes it.
type Factory func(t *testing.T, cfg vectorize.Config) vectorize.Driver

// Run runs the conformance suite against the drivers newDriver makes. Test names carry the
// CONFORMANCE ids they prove.
func Run(t *testing.T, newDriver Factory) {
	s := &suite{newDriver: newDriver}
	for _, tc := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"VZ001_ConfigFixed", s.configFixed},
		{"VZ002_VectorShapeLimits", s.vectorShapeLimits},
		{"VZ003_InsertKeepsExisting", s.insertKeepsExisting},
		{"VZ003_UpsertReplacesWhole", s.upsertReplacesWhole},
		{"VZ003_DuplicatesInOneBatch", s.duplicatesInOneBatch},
		{"VZ004_MutationIDs", s.mutationIDs},
		{"VZ005_BatchLimit", s.batchLimit},
		{"VZ006_ResultShapeClosestFirst", s.resultShape},
		{"VZ007_QueryDefaults", s.queryDefaults},
		{"VZ008_TopKLimits", s.topKLimits},
		{"VZ009_ReturnMetadataLevels", s.returnMetadataLevels},
		{"VZ010_FilterOperators", s.filterOperators},
		{"VZ011_FilterKeysAndNesting", s.filterKeys},
		{"VZ012_FilterBeforeTopK", s.filterBeforeTopK},
		{"VZ013_MetadataIndexes", s.metadataIndexes},
		{"VZ014_UnindexedPropertyMatchesNothing", s.unindexedProperty},
		{"VZ015_Namespaces", s.namespaces},
		{"VZ016_ScoresPerMetric", s.scoresPerMetric},
		{"VZ017_QueryByID", s.queryByID},
		{"VZ018_GetAndDeleteByIDs", s.getAndDelete},
		{"VZ019_Describe", s.describe},
		{"VZ020_ErrorFormat", s.errorFormat},
		{"VZ021_ExactSearchMatchesBruteForce", s.exactMatchesBruteForce},
		{"ConcurrentWritesAndQueries", s.concurrent},
	} {
		t.Run(tc.name, tc.fn)
	}
}

type suite struct{ newDriver Factory }

var ctx = context.Background()

func (s *suite) open(t *testing.T, dims int, m vectorize.Metric) *vectorize.Index {
	t.Helper()
	d := s.newDriver(t, vectorize.Config{Name: "test", Dimensions: dims, Metric: m})
	x := vectorize.New(d)
	t.Cleanup(func() { x.Close() })
	return x
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		require.NoError(t, err)
		return v
	}
}

func matchIDs(m vectorize.Matches) []string {
	out := make([]string, len(m.Matches))
	for i, x := range m.Matches {
		out[i] = x.ID
	}
	return out
}

func (s *suite) configFixed(t *testing.T) {
	x := s.open(t, 3, vectorize.Euclidean)
	cfg := must[vectorize.Config](t)(x.Config(ctx))
	require.Equal(t, 3, cfg.Dimensions)
	require.Equal(t, vectorize.Euclidean, cfg.Metric)
	require.ErrorIs(t, vectorize.Config{Dimensions: vectorize.MaxDimensions + 1, Metric: vectorize.Cosine}.Validate(), vectorize.ErrInvalidConfig)
	require.NoError(t, vectorize.Config{Dimensions: vectorize.MaxDimensions, Metric: vectorize.Cosine}.Validate())
	require.ErrorIs(t, vectorize.Config{Dimensions: 3, Metric: "manhattan"}.Validate(), vectorize.ErrInvalidConfig)
}

func (s *suite) vectorShapeLimits(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	long := strings.Repeat("x", 65)
	_, err := x.Insert(ctx, []vectorize.Vector{{ID: long, Values: []float32{1, 2, 3}}})
	require.EqualError(t, err, "VECTOR_INSERT_ERROR (code = 40008): id too long; max is 64 bytes, got 65 bytes")
	require.ErrorIs(t, err, vectorize.ErrIDTooLong)
	_, err = x.Upsert(ctx, []vectorize.Vector{{ID: strings.Repeat("x", 64), Values: []float32{1, 2, 3}}})
	require.NoError(t, err)

	_, err = x.Upsert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{1, 2}}})
	require.EqualError(t, err, `VECTOR_UPSERT_ERROR (code = 40012): invalid vector for id="a", expected 3 dimensions, and got 2 dimensions`)
	require.ErrorIs(t, err, vectorize.ErrInvalidVector)

	_, err = x.Upsert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{1, 2, 3}, Namespace: strings.Repeat("n", 65)}})
	require.ErrorIs(t, err, vectorize.ErrNamespaceTooLong)
	_, err = x.Upsert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{1, 2, 3}, Namespace: strings.Repeat("n", 64)}})
	require.NoError(t, err)

	big := map[string]any{"text": strings.Repeat("y", 10*1024)}
	_, err = x.Upsert(ctx, []vectorize.Vector{{ID: "b", Values: []float32{1, 2, 3}, Metadata: big}})
	require.EqualError(t, err, `VECTOR_UPSERT_ERROR (code = 40016): oversized metadata for vector id="b"; the compact JSON representation of the metadata must not exceed 10240 bytes, got 10251 bytes`)
	require.ErrorIs(t, err, vectorize.ErrMetadataTooLarge)

	for _, key := range []string{"", "a.b", `a"b`, "$a"} {
		_, err = x.Upsert(ctx, []vectorize.Vector{{ID: "c", Values: []float32{1, 2, 3}, Metadata: map[string]any{key: 1}}})
		require.ErrorIs(t, err, vectorize.ErrInvalidMetadata, "key %q", key)
	}
	// Values are float32 whatever the input: a float64 source is converted once.
	_, err = x.Upsert(ctx, []vectorize.Vector{{ID: "f", Values: []float32{float32(0.1), 0.2, 0.3}}})
	require.NoError(t, err)
	got := must[[]vectorize.Vector](t)(x.GetByIDs(ctx, []string{"f"}))
	require.Equal(t, []float32{0.1, 0.2, 0.3}, got[0].Values)
}

func (s *suite) insertKeepsExisting(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	must[vectorize.Mutation](t)(x.Insert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{1, 0, 0}, Metadata: map[string]any{"v": 1.0}}}))
	must[vectorize.Mutation](t)(x.Insert(ctx, []vectorize.Vector{
		{ID: "a", Values: []float32{0, 1, 0}, Metadata: map[string]any{"v": 2.0}},
		{ID: "b", Values: []float32{0, 0, 1}},
	}))
	got := must[[]vectorize.Vector](t)(x.GetByIDs(ctx, []string{"a", "b"}))
	require.Len(t, got, 2)
	require.Equal(t, []float32{1, 0, 0}, got[0].Values)
	require.Equal(t, map[string]any{"v": 1.0}, got[0].Metadata)
	require.Equal(t, 2, must[vectorize.Info](t)(x.Describe(ctx)).VectorCount)
}

func (s *suite) upsertReplacesWhole(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{1, 0, 0}, Namespace: "n1", Metadata: map[string]any{"keep": "x", "v": 1.0}}}))
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{0, 1, 0}, Metadata: map[string]any{"v": 2.0}}}))
	got := must[[]vectorize.Vector](t)(x.GetByIDs(ctx, []string{"a"}))
	require.Equal(t, []vectorize.Vector{{ID: "a", Values: []float32{0, 1, 0}, Metadata: map[string]any{"v": 2.0}}}, got)
	m := must[vectorize.Matches](t)(x.Query(ctx, []float32{0, 1, 0}, vectorize.QueryOptions{TopK: 1}))
	require.Equal(t, "a", m.Matches[0].ID)
	require.InDelta(t, 1, m.Matches[0].Score, 1e-6)
	require.Equal(t, 1, must[vectorize.Info](t)(x.Describe(ctx)).VectorCount)
}

func (s *suite) duplicatesInOneBatch(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	must[vectorize.Mutation](t)(x.Insert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{1, 0, 0}}, {ID: "a", Values: []float32{0, 1, 0}}}))
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "b", Values: []float32{1, 0, 0}}, {ID: "b", Values: []float32{0, 0, 1}}}))
	got := must[[]vectorize.Vector](t)(x.GetByIDs(ctx, []string{"a", "b"}))
	require.Equal(t, []float32{1, 0, 0}, got[0].Values, "insert: the first wins")
	require.Equal(t, []float32{0, 0, 1}, got[1].Values, "upsert: the last wins")
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func (s *suite) mutationIDs(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	m1 := must[vectorize.Mutation](t)(x.Insert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{1, 0, 0}}}))
	m2 := must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "b", Values: []float32{0, 1, 0}}}))
	m3 := must[vectorize.Mutation](t)(x.DeleteByIDs(ctx, []string{"a"}))
	for _, m := range []vectorize.Mutation{m1, m2, m3} {
		require.Regexp(t, uuidRE, m.ID)
	}
	require.NotEqual(t, m1.ID, m2.ID)
	require.NotEqual(t, m2.ID, m3.ID)
	b, _ := json.Marshal(m1)
	require.JSONEq(t, `{"mutationId":"`+m1.ID+`"}`, string(b))
	// Applied synchronously here: the next query sees the write.
	m := must[vectorize.Matches](t)(x.Query(ctx, []float32{0, 1, 0}, vectorize.QueryOptions{}))
	require.Equal(t, []string{"b"}, matchIDs(m))
	require.Equal(t, m3.ID, must[vectorize.Info](t)(x.Describe(ctx)).ProcessedUpToMutation)
}

func (s *suite) batchLimit(t *testing.T) {
	x := s.open(t, 2, vectorize.Cosine)
	vs := make([]vectorize.Vector, vectorize.MaxBatch+1)
	for i := range vs {
		vs[i] = vectorize.Vector{ID: strconv.Itoa(i), Values: []float32{1, float32(i)}}
	}
	_, err := x.Upsert(ctx, vs)
	require.EqualError(t, err, "VECTOR_UPSERT_ERROR: too many vectors in payload; max vector count is 1000, got 1001")
	require.ErrorIs(t, err, vectorize.ErrBatchTooLarge)
	must[vectorize.Mutation](t)(x.Upsert(ctx, vs[:vectorize.MaxBatch]))
	require.Equal(t, 1000, must[vectorize.Info](t)(x.Describe(ctx)).VectorCount)
}

func seedVectors(t *testing.T, x *vectorize.Index) {
	t.Helper()
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{
		{ID: "a", Values: []float32{1, 0, 0}, Metadata: map[string]any{"genre": "drama", "year": 1999.0, "fav": true, "info": map[string]any{"lang": "en"}}},
		{ID: "b", Values: []float32{0.9, 0.1, 0}, Metadata: map[string]any{"genre": "comedy", "year": 2005.0, "fav": false, "info": map[string]any{"lang": "fr"}}},
		{ID: "c", Values: []float32{0.7, 0.3, 0}, Metadata: map[string]any{"genre": "drama", "year": 2010.0, "info": map[string]any{"lang": "en"}}},
		{ID: "d", Values: []float32{0.5, 0.5, 0}, Metadata: map[string]any{"genre": "horror", "year": 2020.0, "fav": true}},
		{ID: "e", Values: []float32{0, 1, 0}, Metadata: map[string]any{"year": 2021.0}},
		{ID: "f", Values: []float32{0, 0, 1}, Metadata: map[string]any{"genre": "drama", "year": "unknown"}},
	}))
}

func indexAll(t *testing.T, x *vectorize.Index) {
	t.Helper()
	must[vectorize.Mutation](t)(x.CreateMetadataIndex(ctx, "genre", vectorize.String))
	must[vectorize.Mutation](t)(x.CreateMetadataIndex(ctx, "year", vectorize.Number))
	must[vectorize.Mutation](t)(x.CreateMetadataIndex(ctx, "fav", vectorize.Boolean))
	must[vectorize.Mutation](t)(x.CreateMetadataIndex(ctx, "info.lang", vectorize.String))
}

func (s *suite) resultShape(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	seedVectors(t, x)
	m := must[vectorize.Matches](t)(x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{TopK: 3}))
	require.Equal(t, 3, m.Count)
	require.Equal(t, []string{"a", "b", "c"}, matchIDs(m))
	require.True(t, m.Matches[0].Score >= m.Matches[1].Score && m.Matches[1].Score >= m.Matches[2].Score)
	b, _ := json.Marshal(m)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(b, &raw))
	require.Contains(t, raw, "count")
	first := raw["matches"].([]any)[0].(map[string]any)
	require.Equal(t, "a", first["id"])
	require.Contains(t, first, "score")
	require.NotContains(t, first, "values")
	require.NotContains(t, first, "metadata")

	empty := s.open(t, 3, vectorize.Cosine)
	m = must[vectorize.Matches](t)(empty.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{}))
	require.Equal(t, 0, m.Count)
	b, _ = json.Marshal(m)
	require.JSONEq(t, `{"count":0,"matches":[]}`, string(b))
}

func (s *suite) queryDefaults(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	seedVectors(t, x)
	m := must[vectorize.Matches](t)(x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{}))
	require.Len(t, m.Matches, vectorize.DefaultTopK)
	for _, mt := range m.Matches {
		require.Nil(t, mt.Values)
		require.Nil(t, mt.Metadata)
	}
}

func (s *suite) topKLimits(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	seedVectors(t, x)
	q := []float32{1, 0, 0}
	_, err := x.Query(ctx, q, vectorize.QueryOptions{TopK: 100})
	require.NoError(t, err)
	_, err = x.Query(ctx, q, vectorize.QueryOptions{TopK: 101})
	require.EqualError(t, err, "VECTOR_QUERY_ERROR (code = 40025): max top K is 100, but got 101")
	require.ErrorIs(t, err, vectorize.ErrTopKTooLarge)
	_, err = x.Query(ctx, q, vectorize.QueryOptions{TopK: 20, ReturnValues: true, ReturnMetadata: vectorize.MetadataAll})
	require.NoError(t, err)
	_, err = x.Query(ctx, q, vectorize.QueryOptions{TopK: 21, ReturnValues: true})
	require.EqualError(t, err, "VECTOR_QUERY_ERROR (code = 40025): with returnValues=true or returnMetadata=all, max top K is 20, but got 21")
	_, err = x.Query(ctx, q, vectorize.QueryOptions{TopK: 21, ReturnMetadata: vectorize.MetadataAll})
	require.ErrorIs(t, err, vectorize.ErrTopKTooLarge)
	_, err = x.Query(ctx, q, vectorize.QueryOptions{TopK: 100, ReturnMetadata: vectorize.MetadataIndexed})
	require.NoError(t, err)
	_, err = x.Query(ctx, q, vectorize.QueryOptions{TopK: -1})
	require.ErrorIs(t, err, vectorize.ErrInvalidTopK)
}

func (s *suite) returnMetadataLevels(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	must[vectorize.Mutation](t)(x.CreateMetadataIndex(ctx, "title", vectorize.String))
	must[vectorize.Mutation](t)(x.CreateMetadataIndex(ctx, "info.lang", vectorize.String))
	long := strings.Repeat("é", 40) // 80 bytes: indexed as the first 64 (32 runes)
	md := map[string]any{"title": long, "body": "not indexed", "info": map[string]any{"lang": "en", "n": 1.0}}
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{1, 0, 0}, Metadata: md}}))
	q := []float32{1, 0, 0}
	for _, tc := range []struct {
		level vectorize.MetadataLevel
		want  map[string]any
	}{
		{"", nil},
		{vectorize.MetadataNone, nil},
		{vectorize.MetadataIndexed, map[string]any{"title": strings.Repeat("é", 32), "info": map[string]any{"lang": "en"}}},
		{vectorize.MetadataAll, md},
	} {
		m := must[vectorize.Matches](t)(x.Query(ctx, q, vectorize.QueryOptions{ReturnMetadata: tc.level}))
		require.Equal(t, tc.want, m.Matches[0].Metadata, "level %q", tc.level)
	}
	_, err := x.Query(ctx, q, vectorize.QueryOptions{ReturnMetadata: "some"})
	require.EqualError(t, err, `Invalid returnMetadata option. Expected: true, false, "none", "indexed" or "all"; got: some`)
	require.ErrorIs(t, err, vectorize.ErrInvalidReturnMetadata)
	// JSON options accept booleans for "all"/"none".
	var o vectorize.QueryOptions
	require.NoError(t, json.Unmarshal([]byte(`{"returnMetadata":true,"topK":1}`), &o))
	require.Equal(t, vectorize.MetadataAll, o.ReturnMetadata)
	require.NoError(t, json.Unmarshal([]byte(`{"returnMetadata":false}`), &o))
	require.Equal(t, vectorize.MetadataNone, o.ReturnMetadata)
	err = json.Unmarshal([]byte(`{"returnMetadata":"everything"}`), &o)
	require.ErrorContains(t, err, `Invalid returnMetadata option. Expected: true, false, "none", "indexed" or "all"; got: everything`)
	m := must[vectorize.Matches](t)(x.Query(ctx, q, vectorize.QueryOptions{ReturnValues: true}))
	require.Equal(t, []float32{1, 0, 0}, m.Matches[0].Values)
}

func (s *suite) filtered(t *testing.T, x *vectorize.Index, f vectorize.Filter) []string {
	t.Helper()
	m := must[vectorize.Matches](t)(x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{TopK: 100, Filter: f}))
	ids := matchIDs(m)
	slices.Sort(ids)
	return ids
}

func (s *suite) filterOperators(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	indexAll(t, x)
	seedVectors(t, x)
	for _, tc := range []struct {
		f    vectorize.Filter
		want []string
	}{
		{vectorize.Filter{"genre": "drama"}, []string{"a", "c", "f"}},
		{vectorize.Filter{"genre": vectorize.Eq("drama")}, []string{"a", "c", "f"}},
		{vectorize.Filter{"genre": vectorize.Ne("drama")}, []string{"b", "d", "e"}},
		{vectorize.Filter{"year": vectorize.Lt(2005)}, []string{"a"}},
		{vectorize.Filter{"year": vectorize.Lte(2005)}, []string{"a", "b"}},
		{vectorize.Filter{"year": vectorize.Gt(2010)}, []string{"d", "e"}},
		{vectorize.Filter{"year": vectorize.Gte(2010)}, []string{"c", "d", "e"}},
		{vectorize.Filter{"year": vectorize.Cond{"$gte": 2000, "$lt": 2020}}, []string{"b", "c"}},
		{vectorize.Filter{"genre": vectorize.In("comedy", "horror")}, []string{"b", "d"}},
		{vectorize.Filter{"genre": vectorize.Nin("comedy", "horror")}, []string{"a", "c", "e", "f"}},
		{vectorize.Filter{"fav": true}, []string{"a", "d"}},
		{vectorize.Filter{"fav": vectorize.Ne(true)}, []string{"b", "c", "e", "f"}},
		{vectorize.Filter{"genre": nil}, []string{"e"}},
		{vectorize.Filter{"genre": vectorize.Ne(nil)}, []string{"a", "b", "c", "d", "f"}},
		{vectorize.Filter{"genre": "drama", "year": vectorize.Gt(2000)}, []string{"c"}},
		{vectorize.Filter{"year": 2005}, []string{"b"}},
		{vectorize.Filter{"year": "2005"}, []string{}},
		{vectorize.Filter{"genre": vectorize.Gte("d")}, []string{"a", "c", "d", "f"}},
	} {
		got := s.filtered(t, x, tc.f)
		if len(tc.want) == 0 {
			require.Empty(t, got, "%v", tc.f)
		} else {
			require.Equal(t, tc.want, got, "%v", tc.f)
		}
	}
	// Filters parsed from JSON behave the same.
	f, err := vectorize.ParseFilter([]byte(`{"genre": {"$in": ["comedy", "horror"]}, "year": {"$gte": 2000}}`))
	require.NoError(t, err)
	require.Equal(t, []string{"b", "d"}, s.filtered(t, x, f))
	for _, bad := range []vectorize.Filter{
		{"genre": vectorize.Cond{"$regex": "x"}},
		{"genre": vectorize.Cond{"$in": "x"}},
		{"genre": vectorize.Cond{"$in": []any{nil}}},
		{"genre": vectorize.Cond{"$lt": nil}},
		{"genre": vectorize.Cond{}},
		{"genre": []string{"a"}},
	} {
		_, err := x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{Filter: bad})
		require.ErrorIs(t, err, vectorize.ErrInvalidFilter, "%v", bad)
		require.ErrorContains(t, err, "VECTOR_QUERY_ERROR: ")
	}
}

func (s *suite) filterKeys(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	indexAll(t, x)
	seedVectors(t, x)
	require.Equal(t, []string{"a", "c"}, s.filtered(t, x, vectorize.Filter{"info.lang": "en"}))
	for _, key := range []string{"", `a"b`, "$a", strings.Repeat("k", 513), "a..b"} {
		_, err := x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{Filter: vectorize.Filter{key: 1}})
		require.ErrorIs(t, err, vectorize.ErrInvalidFilter, "key %q", key)
	}
	_, err := x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{Filter: vectorize.Filter{strings.Repeat("k", 512): 1}})
	require.NoError(t, err)
	_, err = x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{Filter: vectorize.Filter{"genre": strings.Repeat("v", 2040)}})
	require.ErrorIs(t, err, vectorize.ErrInvalidFilter)
	require.ErrorContains(t, err, "under 2048 bytes")
}

func (s *suite) filterBeforeTopK(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	must[vectorize.Mutation](t)(x.CreateMetadataIndex(ctx, "keep", vectorize.Boolean))
	var vs []vectorize.Vector
	for i := range 50 {
		// The closest 40 do not match; the 10 farthest do.
		vs = append(vs, vectorize.Vector{ID: fmt.Sprintf("v%02d", i), Values: []float32{1, float32(i) / 10, 0}, Metadata: map[string]any{"keep": i >= 40}})
	}
	must[vectorize.Mutation](t)(x.Upsert(ctx, vs))
	m := must[vectorize.Matches](t)(x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{TopK: 3, Filter: vectorize.Filter{"keep": true}}))
	require.Equal(t, []string{"v40", "v41", "v42"}, matchIDs(m))
	// Namespace first, then metadata.
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "ns1", Values: []float32{1, 0, 0}, Namespace: "n", Metadata: map[string]any{"keep": true}}}))
	m = must[vectorize.Matches](t)(x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{TopK: 3, Namespace: "n", Filter: vectorize.Filter{"keep": true}}))
	require.Equal(t, []string{"ns1"}, matchIDs(m))
}

func (s *suite) metadataIndexes(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "before", Values: []float32{1, 0, 0}, Metadata: map[string]any{"g": "x"}}}))
	must[vectorize.Mutation](t)(x.CreateMetadataIndex(ctx, "g", vectorize.String))
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "after", Values: []float32{0, 1, 0}, Metadata: map[string]any{"g": "x"}}}))
	require.Equal(t, []string{"after"}, s.filtered(t, x, vectorize.Filter{"g": "x"}), "vectors written before the index are not in it")
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "before", Values: []float32{1, 0, 0}, Metadata: map[string]any{"g": "x"}}}))
	require.Equal(t, []string{"after", "before"}, s.filtered(t, x, vectorize.Filter{"g": "x"}), "rewriting indexes it")

	// Strings are indexed by their first 64 bytes; filter operands compare the same way.
	long := strings.Repeat("a", 64)
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "long", Values: []float32{0, 0, 1}, Metadata: map[string]any{"g": long + "tail"}}}))
	require.Equal(t, []string{"long"}, s.filtered(t, x, vectorize.Filter{"g": long}))
	require.Equal(t, []string{"long"}, s.filtered(t, x, vectorize.Filter{"g": long + "other"}))

	// Numbers are float64.
	must[vectorize.Mutation](t)(x.CreateMetadataIndex(ctx, "n", vectorize.Number))
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "num", Values: []float32{0, 0, 1}, Metadata: map[string]any{"n": 9007199254740993}}}))
	require.Equal(t, []string{"num"}, s.filtered(t, x, vectorize.Filter{"n": 9007199254740992.0}))

	list := must[[]vectorize.MetadataIndex](t)(x.MetadataIndexes(ctx))
	require.Equal(t, []vectorize.MetadataIndex{{PropertyName: "g", IndexType: vectorize.String}, {PropertyName: "n", IndexType: vectorize.Number}}, list)
	b, _ := json.Marshal(list[0])
	require.JSONEq(t, `{"propertyName":"g","indexType":"string"}`, string(b))

	// Creating again keeps the first type; more than 10 is refused.
	must[vectorize.Mutation](t)(x.CreateMetadataIndex(ctx, "g", vectorize.Number))
	require.Equal(t, vectorize.String, must[[]vectorize.MetadataIndex](t)(x.MetadataIndexes(ctx))[0].IndexType)
	for i := range 8 {
		must[vectorize.Mutation](t)(x.CreateMetadataIndex(ctx, fmt.Sprintf("p%d", i), vectorize.Boolean))
	}
	_, err := x.CreateMetadataIndex(ctx, "p8", vectorize.Boolean)
	require.ErrorIs(t, err, vectorize.ErrInvalidMetadataIndex)
	_, err = x.CreateMetadataIndex(ctx, "q", "date")
	require.ErrorIs(t, err, vectorize.ErrInvalidMetadataIndex)

	// Deleting one makes its filters match nothing; deleting an unknown one fails.
	must[vectorize.Mutation](t)(x.DeleteMetadataIndex(ctx, "g"))
	require.Empty(t, s.filtered(t, x, vectorize.Filter{"g": "x"}))
	_, err = x.DeleteMetadataIndex(ctx, "g")
	require.ErrorIs(t, err, vectorize.ErrMetadataIndexNotFound)
	require.EqualError(t, err, `metadata index for property "g" not found (code = 40005)`)
	// Created again, it starts empty.
	must[vectorize.Mutation](t)(x.CreateMetadataIndex(ctx, "g", vectorize.String))
	require.Empty(t, s.filtered(t, x, vectorize.Filter{"g": "x"}))
}

func (s *suite) unindexedProperty(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	seedVectors(t, x)
	require.Empty(t, s.filtered(t, x, vectorize.Filter{"genre": "drama"}))
	require.Empty(t, s.filtered(t, x, vectorize.Filter{"genre": vectorize.Ne("drama")}))
}

func (s *suite) namespaces(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{
		{ID: "a", Values: []float32{1, 0, 0}, Namespace: "text"},
		{ID: "b", Values: []float32{0.9, 0.1, 0}, Namespace: "images"},
		{ID: "c", Values: []float32{0.8, 0.2, 0}},
	}))
	m := must[vectorize.Matches](t)(x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{Namespace: "images"}))
	require.Equal(t, []string{"b"}, matchIDs(m))
	require.Equal(t, "images", m.Matches[0].Namespace)
	m = must[vectorize.Matches](t)(x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{}))
	require.Equal(t, []string{"a", "b", "c"}, matchIDs(m))
	m = must[vectorize.Matches](t)(x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{Namespace: "none"}))
	require.Zero(t, m.Count)
	got := must[[]vectorize.Vector](t)(x.GetByIDs(ctx, []string{"a"}))
	require.Equal(t, "text", got[0].Namespace)
	// Moving a vector to another namespace by upsert.
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{1, 0, 0}, Namespace: "images"}}))
	m = must[vectorize.Matches](t)(x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{Namespace: "images"}))
	require.Equal(t, []string{"a", "b"}, matchIDs(m))
}

func (s *suite) scoresPerMetric(t *testing.T) {
	vs := []vectorize.Vector{
		{ID: "same", Values: []float32{1, 2, 2}},
		{ID: "near", Values: []float32{1, 2, 3}},
		{ID: "opposite", Values: []float32{-1, -2, -2}},
	}
	q := []float32{1, 2, 2}
	for _, tc := range []struct {
		metric vectorize.Metric
		order  []string
		scores []float64
	}{
		{vectorize.Cosine, []string{"same", "near", "opposite"}, []float64{1, 11 / (3 * math.Sqrt(14)), -1}},
		{vectorize.Euclidean, []string{"same", "near", "opposite"}, []float64{0, 1, 6}},
		// Negative dot product: lower is closer.
		{vectorize.DotProduct, []string{"near", "same", "opposite"}, []float64{-11, -9, 9}},
	} {
		x := s.open(t, 3, tc.metric)
		must[vectorize.Mutation](t)(x.Upsert(ctx, vs))
		m := must[vectorize.Matches](t)(x.Query(ctx, q, vectorize.QueryOptions{}))
		require.Equal(t, tc.order, matchIDs(m), "%s", tc.metric)
		for i, want := range tc.scores {
			require.InDelta(t, want, m.Matches[i].Score, 1e-5, "%s %s", tc.metric, m.Matches[i].ID)
		}
	}
}

func (s *suite) queryByID(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	seedVectors(t, x)
	m := must[vectorize.Matches](t)(x.QueryByID(ctx, "a", vectorize.QueryOptions{TopK: 2}))
	require.Equal(t, []string{"a", "b"}, matchIDs(m))
	require.InDelta(t, 1, m.Matches[0].Score, 1e-6)
	m = must[vectorize.Matches](t)(x.QueryByID(ctx, "missing", vectorize.QueryOptions{}))
	require.Zero(t, m.Count)
	_, err := x.QueryByID(ctx, "a", vectorize.QueryOptions{TopK: 101})
	require.ErrorIs(t, err, vectorize.ErrTopKTooLarge)
	_, err = x.QueryByID(ctx, "", vectorize.QueryOptions{})
	require.ErrorIs(t, err, vectorize.ErrIDTooLong)
	// With a namespace, the stored vector queries that namespace only.
	must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "n1", Values: []float32{1, 0, 0}, Namespace: "n"}}))
	m = must[vectorize.Matches](t)(x.QueryByID(ctx, "a", vectorize.QueryOptions{Namespace: "n"}))
	require.Equal(t, []string{"n1"}, matchIDs(m))
}

func (s *suite) getAndDelete(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	seedVectors(t, x)
	got := must[[]vectorize.Vector](t)(x.GetByIDs(ctx, []string{"c", "missing", "a"}))
	require.Len(t, got, 2)
	require.Equal(t, "c", got[0].ID)
	require.Equal(t, "a", got[1].ID)
	require.Equal(t, []float32{1, 0, 0}, got[1].Values)
	require.Equal(t, "drama", got[1].Metadata["genre"])
	got[1].Metadata["genre"] = "changed"
	got[1].Values[0] = 9
	again := must[[]vectorize.Vector](t)(x.GetByIDs(ctx, []string{"a"}))
	require.Equal(t, "drama", again[0].Metadata["genre"], "results are copies")
	require.Equal(t, float32(1), again[0].Values[0])

	m := must[vectorize.Mutation](t)(x.DeleteByIDs(ctx, []string{"a", "missing"}))
	require.NotEmpty(t, m.ID)
	require.Empty(t, must[[]vectorize.Vector](t)(x.GetByIDs(ctx, []string{"a"})))
	require.NotContains(t, matchIDs(must[vectorize.Matches](t)(x.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{}))), "a")
	require.Equal(t, 5, must[vectorize.Info](t)(x.Describe(ctx)).VectorCount)
	// Re-inserting a deleted id works.
	must[vectorize.Mutation](t)(x.Insert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{0, 0, 1}}}))
	require.Equal(t, []float32{0, 0, 1}, must[[]vectorize.Vector](t)(x.GetByIDs(ctx, []string{"a"}))[0].Values)

	ids := make([]string, 21)
	for i := range ids {
		ids[i] = strconv.Itoa(i)
	}
	_, err := x.GetByIDs(ctx, ids)
	require.EqualError(t, err, "VECTOR_GET_ERROR (code = 40007): too many ids in payload; max id count is 20, got 21")
	ids = make([]string, 101)
	for i := range ids {
		ids[i] = strconv.Itoa(i)
	}
	_, err = x.DeleteByIDs(ctx, ids)
	require.EqualError(t, err, "VECTOR_DELETE_ERROR (code = 40007): too many ids in payload; max id count is 100, got 101")
	require.ErrorIs(t, err, vectorize.ErrTooManyIDs)
	_, err = x.DeleteByIDs(ctx, ids[:100])
	require.NoError(t, err)
}

func (s *suite) describe(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	info := must[vectorize.Info](t)(x.Describe(ctx))
	require.Equal(t, vectorize.Info{Dimensions: 3}, info)
	b, _ := json.Marshal(info)
	require.JSONEq(t, `{"vectorCount":0,"dimensions":3,"processedUpToDatetime":null,"processedUpToMutation":null}`, string(b))
	m := must[vectorize.Mutation](t)(x.Upsert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{1, 0, 0}}}))
	info = must[vectorize.Info](t)(x.Describe(ctx))
	require.Equal(t, 1, info.VectorCount)
	require.Equal(t, m.ID, info.ProcessedUpToMutation)
	require.False(t, info.ProcessedUpToDatetime.IsZero())
}

func (s *suite) errorFormat(t *testing.T) {
	x := s.open(t, 3, vectorize.Cosine)
	_, err := x.Query(ctx, []float32{1, 0}, vectorize.QueryOptions{})
	require.EqualError(t, err, "VECTOR_QUERY_ERROR (code = 40006): invalid query vector, expected 3 dimensions, and got 2 dimensions")
	var e *vectorize.Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, vectorize.OpQuery, e.Op)
	require.Equal(t, 40006, e.Code)
	require.Equal(t, "invalid query vector, expected 3 dimensions, and got 2 dimensions", e.Message)
	require.ErrorIs(t, err, vectorize.ErrInvalidVector)
	require.NoError(t, x.Close())
	_, err = x.Describe(ctx)
	require.ErrorIs(t, err, vectorize.ErrClosed)
}

func (s *suite) exactMatchesBruteForce(t *testing.T) {
	d := Clustered(1500, 20, 16, 7)
	for _, metric := range []vectorize.Metric{vectorize.Cosine, vectorize.Euclidean, vectorize.DotProduct} {
		x := s.open(t, 16, metric)
		for i := 0; i < len(d.Vectors); i += vectorize.MaxBatch {
			var vs []vectorize.Vector
			for j := i; j < min(i+vectorize.MaxBatch, len(d.Vectors)); j++ {
				vs = append(vs, vectorize.Vector{ID: strconv.Itoa(j), Values: d.Vectors[j]})
			}
			must[vectorize.Mutation](t)(x.Upsert(ctx, vs))
		}
		for _, q := range d.Queries {
			m := must[vectorize.Matches](t)(x.Query(ctx, q, vectorize.QueryOptions{TopK: 10}))
			require.Equal(t, BruteForce(d.Vectors, q, metric, 10), matchIDs(m), "%s", metric)
		}
	}
}

func (s *suite) concurrent(t *testing.T) {
	d := Clustered(800, 20, 8, 9)
	x := s.open(t, 8, vectorize.Cosine)
	must[vectorize.Mutation](t)(x.CreateMetadataIndex(ctx, "cat", vectorize.Number))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w * 200; i < (w+1)*200; i += 20 {
				var vs []vectorize.Vector
				for j := i; j < i+20; j++ {
					vs = append(vs, vectorize.Vector{ID: strconv.Itoa(j), Values: d.Vectors[j], Metadata: map[string]any{"cat": d.Category[j]}})
				}
				if _, err := x.Upsert(ctx, vs); err != nil {
					t.Error(err)
				}
				if _, err := x.DeleteByIDs(ctx, []string{strconv.Itoa(i)}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for _, q := range d.Queries {
				if _, err := x.Query(ctx, q, vectorize.QueryOptions{TopK: 10, Filter: vectorize.Filter{"cat": vectorize.Lt(5)}}); err != nil {
					t.Error(err)
				}
				if _, err := x.Describe(ctx); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	require.Equal(t, 760, must[vectorize.Info](t)(x.Describe(ctx)).VectorCount)
}

// BruteForce returns the ids (indexes into vs, as strings) of the k vectors closest to q
// under metric, ties broken by id: the reference exact search.
func BruteForce(vs [][]float32, q []float32, metric vectorize.Metric, k int) []string {
	type scored struct {
		id string
		d  float64
	}
	norm := func(v []float32) float64 {
		var s float64
		for _, x := range v {
			s += float64(x) * float64(x)
		}
		return math.Sqrt(s)
	}
	all := make([]scored, len(vs))
	for i, v := range vs {
		var dot, l2 float64
		for j := range v {
			dot += float64(v[j]) * float64(q[j])
			d := float64(v[j]) - float64(q[j])
			l2 += d * d
		}
		var d float64
		switch metric {
		case vectorize.Euclidean:
			d = l2
		case vectorize.DotProduct:
			d = -dot
		default:
			d = 1 - dot/(norm(v)*norm(q))
		}
		all[i] = scored{strconv.Itoa(i), d}
	}
	slices.SortFunc(all, func(a, b scored) int {
		if a.d != b.d {
			if a.d < b.d {
				return -1
			}
			return 1
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]string, 0, k)
	for _, s := range all[:min(k, len(all))] {
		out = append(out, s.id)
	}
	return out
}
