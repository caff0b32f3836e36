package durableobject_test

import (
	"context"
	"errors"
	"testing"

	"github.com/flarego/flarego/durableobject"
	"github.com/stretchr/testify/require"
)

// brokenIndex is a driver whose namespace indexes cannot be opened.
type brokenIndex struct {
	durableobject.Driver
	err error
}

func (b brokenIndex) OpenIndex(context.Context, string) (*durableobject.Handle, error) {
	return nil, b.err
}

// A namespace's index opens in the background; when that fails, calls to its objects return
// why, and the engine still closes.
func TestNamespaceIndexFailsInTheBackground(t *testing.T) {
	broken := errors.New("disk on fire")
	eng, err := durableobject.NewEngine(nil, durableobject.Options{Driver: brokenIndex{durableobject.MemoryDriver(), broken}})
	require.NoError(t, err)
	require.NoError(t, eng.AddClass(durableobject.NewClass("Room", newRoom)))
	h, err := eng.Namespace(durableobject.NamespaceConfig{Class: "Room"})
	require.NoError(t, err, "the namespace is there at once")
	ns, err := durableobject.Bind[*room](h)
	require.NoError(t, err)
	require.NoError(t, eng.Start(appEnv{Mode: "x"}))
	_, err = roomMode.Call(context.Background(), ns.GetByName("a"), struct{}{})
	require.ErrorIs(t, err, broken)
	_, err = h.Objects(context.Background())
	require.ErrorIs(t, err, broken)
	require.NoError(t, eng.Close(context.Background()))
}
