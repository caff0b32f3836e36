package memory_test

import (
	"testing"

	"github.com/flarego/flarego/vectorize"
	"github.com/flarego/flarego/vectorize/memory"
	"github.com/flarego/flarego/vectorize/vectorizetest"
	"github.com/stretchr/testify/require"
)

func TestConformance(t *testing.T) {
	vectorizetest.Run(t, func(t *testing.T, cfg vectorize.Config) vectorize.Driver {
		d, err := memory.New(cfg)
		require.NoError(t, err)
		return d
	})
}
