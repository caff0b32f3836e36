package sqlite_test

import (
	"context"
	"fmt"
	"os"

	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/vectorize/sqlite"
)

func ExampleCatalog() {
	ctx := context.Background()
	cat, _ := sqlite.OpenCatalog("", sqlite.Options{}) // a directory keeps it on disk
	defer cat.Close()

	docs := cat.Binding("docs") // what a worker's Env holds; opens on first use
	_, err := docs.Describe(ctx)
	fmt.Println(err)

	cat.Create(ctx, vectorize.Config{Name: "docs", Dimensions: 2, Metric: vectorize.Euclidean})
	docs.Upsert(ctx, []vectorize.Vector{{ID: "a", Values: []float32{0, 0}}, {ID: "b", Values: []float32{3, 4}}})
	m, _ := docs.Query(ctx, []float32{0, 0}, vectorize.QueryOptions{TopK: 2})
	fmt.Println(m.Matches[0].ID, m.Matches[1].ID, m.Matches[1].Score)
	// Output:
	// vectorize index "docs" not found (code = 3000)
	// a b 5
}

func ExampleRunCLI() {
	ctx := context.Background()
	cat, _ := sqlite.OpenCatalog("", sqlite.Options{})
	defer cat.Close()
	sqlite.RunCLI(ctx, cat, []string{"create", "docs", "--dimensions", "3", "--metric", "cosine"}, os.Stderr)
	sqlite.RunCLI(ctx, cat, []string{"create-metadata-index", "docs", "--property-name", "lang", "--type", "string"}, os.Stderr)
	sqlite.RunCLI(ctx, cat, []string{"list-metadata-index", "docs"}, os.Stdout)
	// Output:
	// {
	//   "metadataIndexes": [
	//     {
	//       "propertyName": "lang",
	//       "indexType": "string"
	//     }
	//   ]
	// }
}
