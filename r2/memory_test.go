package r2_test

import (
	"testing"

	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/r2/r2test"
)

func TestMemoryDriver(t *testing.T) {
	r2test.Run(t, func(t testing.TB) r2.Driver { return r2.NewMemoryDriver() })
}
