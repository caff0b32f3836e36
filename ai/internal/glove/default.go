package glove

import (
	_ "embed"
	"sync"
)

//go:embed data/glove-6b-100d-40k.bin
var artifact []byte

// Default returns the embedded model, decoding it on first use (a few milliseconds and
// about 2 MB of index on top of the 4.5 MB of embedded data).
var Default = sync.OnceValues(func() (*Model, error) { return Parse(artifact) })
