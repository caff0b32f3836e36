package durableobject

import (
	"context"
	"testing"

	"github.com/flarego/flarego/worker"
	"github.com/stretchr/testify/require"
)

type limitObj struct{ state *State }

func (o *limitObj) Accept(ctx context.Context, n int) (int, error) {
	for range n {
		_, server := worker.NewWebSocketPair()
		if _, err := o.state.AcceptWebSocket(server); err != nil {
			return 0, err
		}
	}
	return len(o.state.GetWebSockets("")), nil
}

var limitAccept = Method("Accept", (*limitObj).Accept)

// DO-071: an object holds at most 32,768 hibernatable WebSockets. The limit is lowered here:
// thirty thousand in-process pairs would only measure memory.
func TestAcceptWebSocket_DO071_Limit(t *testing.T) {
	defer func(n int) { maxHibernatable = n }(maxHibernatable)
	maxHibernatable = 3
	e, err := NewEngine(nil, Options{})
	require.NoError(t, err)
	require.NoError(t, e.AddClass(NewClass("L", func(s *State, _ struct{}) *limitObj { return &limitObj{state: s} })))
	h, err := e.Namespace(NamespaceConfig{Class: "L"})
	require.NoError(t, err)
	ns, err := Bind[*limitObj](h)
	require.NoError(t, err)
	require.NoError(t, e.Start(struct{}{}))
	defer e.Close(context.Background())
	n, err := limitAccept.Call(context.Background(), ns.GetByName("x"), 3)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	_, err = limitAccept.Call(context.Background(), ns.GetByName("x"), 1)
	require.ErrorIs(t, err, ErrTooManyWebSockets)
}
