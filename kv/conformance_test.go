package kv_test

import (
	"testing"

	"github.com/flarego/flarego/kv"
	"github.com/flarego/flarego/kv/kvtest"
)

func TestMemoryConformance(t *testing.T) {
	kvtest.Run(t, func(t *testing.T) kv.Driver { return kv.NewMemoryDriver() })
}
