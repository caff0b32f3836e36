package sqlite_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/vectorize/sqlite"
	"github.com/stretchr/testify/require"
)

func TestCatalog_VZ001_CreateListDeleteNoReuse(t *testing.T) {
	dir := t.TempDir()
	c, err := sqlite.OpenCatalog(dir, sqlite.Options{})
	require.NoError(t, err)
	cfg, err := c.Create(ctx, vectorize.Config{Name: "docs", Dimensions: 4, Metric: vectorize.Cosine, Description: "d"})
	require.NoError(t, err)
	require.False(t, cfg.CreatedOn.IsZero())
	_, err = c.Create(ctx, vectorize.Config{Name: "docs", Dimensions: 8, Metric: vectorize.Cosine})
	require.ErrorIs(t, err, vectorize.ErrIndexExists)
	require.EqualError(t, err, `vectorize index "docs" already exists (code = 3002)`)
	_, err = c.Create(ctx, vectorize.Config{Name: "big", Dimensions: 1537, Metric: vectorize.Cosine})
	require.ErrorIs(t, err, vectorize.ErrInvalidConfig)
	_, err = c.Create(ctx, vectorize.Config{Name: "../x", Dimensions: 3, Metric: vectorize.Cosine})
	require.ErrorIs(t, err, vectorize.ErrInvalidConfig)
	_, err = c.Create(ctx, vectorize.Config{Name: "other", Dimensions: 3, Metric: vectorize.DotProduct})
	require.NoError(t, err)

	list, err := c.List(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "docs", list[0].Name)
	require.Equal(t, 4, list[0].Dimensions)

	x := c.Binding("docs")
	_, err = x.Upsert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{1, 0, 0, 0}}})
	require.NoError(t, err)

	require.NoError(t, c.Delete(ctx, "docs"))
	require.NoDirExists(t, filepath.Join(dir, "docs"))
	_, err = x.Describe(ctx)
	require.ErrorIs(t, err, vectorize.ErrIndexNotFound)
	_, err = c.Get(ctx, "docs")
	require.EqualError(t, err, `vectorize index "docs" not found (code = 3000)`)
	_, err = c.Create(ctx, vectorize.Config{Name: "docs", Dimensions: 4, Metric: vectorize.Cosine})
	require.ErrorIs(t, err, vectorize.ErrIndexExists, "a deleted index's name cannot be reused")
	require.ErrorIs(t, c.Delete(ctx, "docs"), vectorize.ErrIndexNotFound)
	require.NoError(t, c.Close())

	// Reopened, the catalog still knows everything.
	c, err = sqlite.OpenCatalog(dir, sqlite.Options{})
	require.NoError(t, err)
	defer c.Close()
	list, err = c.List(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, vectorize.DotProduct, list[0].Metric)
	_, err = c.Create(ctx, vectorize.Config{Name: "docs", Dimensions: 4, Metric: vectorize.Cosine})
	require.ErrorIs(t, err, vectorize.ErrIndexExists)
}

func TestCatalog_BindingBeforeCreate(t *testing.T) {
	c, err := sqlite.OpenCatalog("", sqlite.Options{})
	require.NoError(t, err)
	defer c.Close()
	x := c.Binding("later")
	_, err = x.Query(ctx, []float32{1}, vectorize.QueryOptions{})
	require.ErrorIs(t, err, vectorize.ErrIndexNotFound)
	_, err = c.Create(ctx, vectorize.Config{Name: "later", Dimensions: 1, Metric: vectorize.Euclidean})
	require.NoError(t, err)
	_, err = x.Upsert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{2}}})
	require.NoError(t, err)
	// Another binding to the same name shares the data.
	m, err := c.Binding("later").Query(ctx, []float32{1}, vectorize.QueryOptions{})
	require.NoError(t, err)
	require.Equal(t, 1, m.Count)
	require.InDelta(t, 1, m.Matches[0].Score, 1e-6)
}

func cli(t *testing.T, c *sqlite.Catalog, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, sqlite.RunCLI(ctx, c, args, &out), "%v", args)
	return out.String()
}

func TestCLI(t *testing.T) {
	dir := t.TempDir()
	c, err := sqlite.OpenCatalog(dir, sqlite.Options{})
	require.NoError(t, err)
	defer c.Close()
	cli(t, c, "create", "docs", "--dimensions", "3", "--metric", "cosine", "--description", "my docs")
	require.Contains(t, cli(t, c, "list"), `"name": "docs"`)
	require.Contains(t, cli(t, c, "get", "docs"), `"description": "my docs"`)
	cli(t, c, "create-metadata-index", "docs", "--property-name", "url", "--type", "string")
	require.JSONEq(t, `{"metadataIndexes":[{"propertyName":"url","indexType":"string"}]}`, cli(t, c, "list-metadata-index", "docs"))

	file := filepath.Join(dir, "v.ndjson")
	require.NoError(t, os.WriteFile(file, []byte(`{ "id": "4444", "values": [175.1, 167.1, 129.9], "metadata": {"url": "/products/sku/918318313"}}
{ "id": "5555", "values": [158.8, 116.7, 311.4], "metadata": {"url": "/products/sku/183183183"}}

{ "id": "6666", "values": [113.2, 67.5, 11.2], "namespace": "ns", "metadata": {"url": "/products/sku/717313811"}}
`), 0o644))
	var res struct {
		Count       int      `json:"count"`
		MutationIDs []string `json:"mutationIds"`
	}
	require.NoError(t, json.Unmarshal([]byte(cli(t, c, "insert", "docs", "--file", file, "--batch-size", "2")), &res))
	require.Equal(t, 3, res.Count)
	require.Len(t, res.MutationIDs, 2)
	require.Contains(t, cli(t, c, "info", "docs"), `"vectorCount": 3`)

	var m vectorize.Matches
	require.NoError(t, json.Unmarshal([]byte(cli(t, c, "query", "docs", "--vector", "175", "167", "130", "--top-k", "2", "--return-metadata", "all")), &m))
	require.Equal(t, 2, m.Count)
	require.Equal(t, "4444", m.Matches[0].ID)
	require.Equal(t, "/products/sku/918318313", m.Matches[0].Metadata["url"])
	require.NoError(t, json.Unmarshal([]byte(cli(t, c, "query", "docs", "--vector-id", "6666", "--namespace", "ns", "--return-values")), &m))
	require.Equal(t, []float32{113.2, 67.5, 11.2}, m.Matches[0].Values)
	require.NoError(t, json.Unmarshal([]byte(cli(t, c, "query", "docs", "--vector", "1", "1", "1", "--filter", `{"url":"/products/sku/183183183"}`)), &m))
	require.Equal(t, "5555", m.Matches[0].ID)

	require.Contains(t, cli(t, c, "get-vectors", "docs", "--ids", "4444", "nope"), `"id": "4444"`)
	require.Contains(t, cli(t, c, "delete-vectors", "docs", "--ids", "4444"), "mutationId")
	require.Contains(t, cli(t, c, "info", "docs"), `"vectorCount": 2`)
	cli(t, c, "delete-metadata-index", "docs", "--property-name", "url")
	cli(t, c, "delete", "docs")
	require.Equal(t, "[]\n", cli(t, c, "list"))

	var out bytes.Buffer
	err = sqlite.RunCLI(ctx, c, []string{"query", "docs", "--vector", "1"}, &out)
	require.ErrorIs(t, err, vectorize.ErrIndexNotFound)
	require.Error(t, sqlite.RunCLI(ctx, c, []string{"bogus", "x"}, &out))
	require.Error(t, sqlite.RunCLI(ctx, c, []string{"create", "y", "--dimensions", "3", "--metric", "manhattan"}, &out))
}
