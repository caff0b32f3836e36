package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/vectorize/sqlite"
	"github.com/flarego/flarego/vectorize/vectorizetest"
	"github.com/stretchr/testify/require"
)

var ctx = context.Background()

func TestConformanceOnDisk(t *testing.T) {
	vectorizetest.Run(t, func(t *testing.T, cfg vectorize.Config) vectorize.Driver {
		d, err := sqlite.Create(ctx, t.TempDir(), cfg, sqlite.Options{})
		require.NoError(t, err)
		return d
	})
}

func TestConformanceInMemory(t *testing.T) {
	vectorizetest.Run(t, func(t *testing.T, cfg vectorize.Config) vectorize.Driver {
		d, err := sqlite.Create(ctx, "", cfg, sqlite.Options{})
		require.NoError(t, err)
		return d
	})
}

func upsertAll(t testing.TB, x *vectorize.Index, d *vectorizetest.Dataset, from, to int) {
	for i := from; i < to; i += vectorize.MaxBatch {
		var vs []vectorize.Vector
		for j := i; j < min(i+vectorize.MaxBatch, to); j++ {
			vs = append(vs, vectorize.Vector{ID: strconv.Itoa(j), Values: d.Vectors[j], Metadata: map[string]any{"cat": d.Category[j]}})
		}
		_, err := x.Upsert(ctx, vs)
		require.NoError(t, err)
	}
}

func ids(m vectorize.Matches) []string {
	out := make([]string, len(m.Matches))
	for i, x := range m.Matches {
		out[i] = x.ID
	}
	return out
}

// data survives a restart with the same directory, from the snapshot written by
// Close, and also after a crash (no Close), by replaying the database.
func TestPersistence_X001(t *testing.T) {
	dir := t.TempDir()
	data := vectorizetest.Clustered(600, 10, 8, 1)
	cfg := vectorize.Config{Name: "p", Dimensions: 8, Metric: vectorize.Euclidean, Description: "d"}
	d, err := sqlite.Create(ctx, dir, cfg, sqlite.Options{})
	require.NoError(t, err)
	x := vectorize.New(d)
	_, err = x.CreateMetadataIndex(ctx, "cat", vectorize.Number)
	require.NoError(t, err)
	upsertAll(t, x, data, 0, 500)
	_, err = x.DeleteByIDs(ctx, []string{"1", "2"})
	require.NoError(t, err)
	want := make([][]string, len(data.Queries))
	for i, q := range data.Queries {
		want[i] = ids(must(x.Query(ctx, q, vectorize.QueryOptions{TopK: 10, Filter: vectorize.Filter{"cat": vectorize.Lt(5)}})))
	}
	require.NoError(t, x.Close())
	require.FileExists(t, filepath.Join(dir, sqlite.SnapshotFile))

	d, err = sqlite.Open(ctx, dir, sqlite.Options{})
	require.NoError(t, err)
	x = vectorize.New(d)
	got := must(x.Config(ctx))
	require.Equal(t, cfg.Name, got.Name)
	require.Equal(t, cfg.Description, got.Description)
	require.Equal(t, vectorize.Euclidean, got.Metric)
	require.Equal(t, 498, must(x.Describe(ctx)).VectorCount)
	for i, q := range data.Queries {
		require.Equal(t, want[i], ids(must(x.Query(ctx, q, vectorize.QueryOptions{TopK: 10, Filter: vectorize.Filter{"cat": vectorize.Lt(5)}}))))
	}
	// Writes after the snapshot, then a "crash": the driver is dropped without Close.
	upsertAll(t, x, data, 500, 600)
	_, err = x.DeleteByIDs(ctx, []string{"3"})
	require.NoError(t, err)
	crashed := d

	d2, err := sqlite.Open(ctx, dir, sqlite.Options{})
	require.NoError(t, err)
	x2 := vectorize.New(d2)
	require.Equal(t, 597, must(x2.Describe(ctx)).VectorCount)
	require.Empty(t, must(x2.GetByIDs(ctx, []string{"3"})))
	require.Len(t, must(x2.GetByIDs(ctx, []string{"599"})), 1)
	m := must(x2.Query(ctx, data.Vectors[599], vectorize.QueryOptions{TopK: 1}))
	require.Equal(t, []string{"599"}, ids(m))
	require.NoError(t, x2.Close())
	crashed.Close()
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// A corrupt snapshot is not trusted: the index is rebuilt from the database.
func TestCorruptSnapshotRebuilds(t *testing.T) {
	dir := t.TempDir()
	data := vectorizetest.Clustered(300, 5, 8, 2)
	d, err := sqlite.Create(ctx, dir, vectorize.Config{Name: "c", Dimensions: 8, Metric: vectorize.Cosine}, sqlite.Options{})
	require.NoError(t, err)
	x := vectorize.New(d)
	upsertAll(t, x, data, 0, 300)
	require.NoError(t, x.Close())
	path := filepath.Join(dir, sqlite.SnapshotFile)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	b[len(b)/2] ^= 0xff
	require.NoError(t, os.WriteFile(path, b, 0o644))
	d, err = sqlite.Open(ctx, dir, sqlite.Options{})
	require.NoError(t, err)
	x = vectorize.New(d)
	defer x.Close()
	require.Equal(t, 300, must(x.Describe(ctx)).VectorCount)
	require.Equal(t, vectorizetest.BruteForce(data.Vectors, data.Queries[0], vectorize.Cosine, 5), ids(must(x.Query(ctx, data.Queries[0], vectorize.QueryOptions{}))))
}

// two drivers on one directory (the runner and the CLI in two processes) see each
// other's writes.
func TestSharedDirectory_X002(t *testing.T) {
	dir := t.TempDir()
	d1, err := sqlite.Create(ctx, dir, vectorize.Config{Name: "s", Dimensions: 3, Metric: vectorize.Cosine}, sqlite.Options{})
	require.NoError(t, err)
	defer d1.Close()
	d2, err := sqlite.Open(ctx, dir, sqlite.Options{})
	require.NoError(t, err)
	defer d2.Close()
	x1, x2 := vectorize.New(d1), vectorize.New(d2)
	_, err = x2.CreateMetadataIndex(ctx, "k", vectorize.String)
	require.NoError(t, err)
	_, err = x2.Upsert(ctx, []vectorize.Vector{{ID: "from2", Values: []float32{1, 0, 0}, Metadata: map[string]any{"k": "v"}}})
	require.NoError(t, err)
	// Stored rows are visible at once; the search graph catches up on the next check.
	require.Len(t, must(x1.GetByIDs(ctx, []string{"from2"})), 1)
	require.NoError(t, d1.Snapshot(ctx))
	m := must(x1.Query(ctx, []float32{1, 0, 0}, vectorize.QueryOptions{Filter: vectorize.Filter{"k": "v"}}))
	require.Equal(t, []string{"from2"}, ids(m))
}

// The graph path (beyond the exact-search threshold) under concurrent writers and readers,
// for the race detector; recall is checked against brute force afterwards.
func TestGraphUnderConcurrency(t *testing.T) {
	n := 4000
	data := vectorizetest.Clustered(n, 30, 16, 3)
	d, err := sqlite.Create(ctx, t.TempDir(), vectorize.Config{Name: "g", Dimensions: 16, Metric: vectorize.Cosine},
		sqlite.Options{Engine: sqlite.EngineOptions{ExactBelow: 200}, SnapshotEvery: 1000})
	require.NoError(t, err)
	x := vectorize.New(d)
	defer x.Close()
	_, err = x.CreateMetadataIndex(ctx, "cat", vectorize.Number)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() { upsertAll(t, x, data, w*n/2, (w+1)*n/2) })
	}
	wg.Go(func() {
		for _, q := range data.Queries {
			_, err := x.Query(ctx, q, vectorize.QueryOptions{TopK: 10, Filter: vectorize.Filter{"cat": 3}})
			require.NoError(t, err)
		}
	})
	wg.Wait()
	var recall float64
	for _, q := range data.Queries {
		got := ids(must(x.Query(ctx, q, vectorize.QueryOptions{TopK: 10})))
		recall += vectorizetest.Recall(got, vectorizetest.BruteForce(data.Vectors, q, vectorize.Cosine, 10))
	}
	recall /= float64(len(data.Queries))
	require.GreaterOrEqual(t, recall, 0.95)
}
