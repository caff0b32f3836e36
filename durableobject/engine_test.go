package durableobject_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/flarego/flarego/durableobject"
	"github.com/flarego/flarego/worker"
	"github.com/stretchr/testify/require"
)

type appEnv struct {
	Rooms *durableobject.Namespace[*room] `binding:"ROOMS"`
	Mode  string                          `binding:"MODE"`
}

type room struct {
	state *durableobject.State
	env   appEnv
}

func newRoom(state *durableobject.State, env appEnv) *room { return &room{state: state, env: env} }

func (r *room) Mode(ctx context.Context, _ struct{}) (string, error) { return r.env.Mode, nil }

var roomMode = durableobject.Method("Mode", (*room).Mode)

// The runner's wiring, as host does it: engine before the Env, bindings by reflection, Start.
func TestRunnerWiring(t *testing.T) {
	app := worker.New[appEnv](worker.HandlerFunc[appEnv](func(*http.Request, appEnv, *worker.Context) (*http.Response, error) {
		return worker.Text(200, "ok")
	}))
	durableobject.Register(app, "Room", newRoom)
	require.Panics(t, func() { durableobject.Register(app, "Room", newRoom) }, "registered twice")

	eng, err := durableobject.NewEngine(app, durableobject.Options{WorkerName: "chat"})
	require.NoError(t, err)
	defer eng.Close(context.Background())
	_, err = eng.Namespace(durableobject.NamespaceConfig{Class: "Nope"})
	require.ErrorIs(t, err, durableobject.ErrUnknownClass)
	h, err := eng.Namespace(durableobject.NamespaceConfig{Class: "Room"})
	require.NoError(t, err)
	require.Equal(t, "chat-Room", h.UniqueKey())

	var env appEnv
	f, _ := reflect.TypeOf(env).FieldByName("Rooms")
	require.True(t, durableobject.IsBindingType(f.Type))
	require.False(t, durableobject.IsBindingType(reflect.TypeFor[string]()))
	v, err := durableobject.NewBindingValue(f.Type, h)
	require.NoError(t, err)
	reflect.ValueOf(&env).Elem().FieldByName("Rooms").Set(v)
	env.Mode = "test"
	_, err = durableobject.NewBindingValue(reflect.TypeFor[*durableobject.Namespace[*appEnv]](), h)
	require.ErrorContains(t, err, "whose constructor returns")
	_, err = durableobject.NewBindingValue(reflect.TypeFor[string](), h)
	require.Error(t, err)

	_, err = roomMode.Call(context.Background(), env.Rooms.GetByName("x"), struct{}{})
	require.ErrorIs(t, err, durableobject.ErrNotStarted)
	require.NoError(t, eng.Start(env))
	mode, err := roomMode.Call(context.Background(), env.Rooms.GetByName("x"), struct{}{})
	require.NoError(t, err)
	require.Equal(t, "test", mode, "constructors get the Env given to Start")
}

func TestMethod_RejectsUnserializableTypes(t *testing.T) {
	type withChan struct{ C chan int }
	type withPrivate struct {
		n int
		F func() `json:"-"`
	}
	require.Panics(t, func() {
		durableobject.Method("Bad", func(*room, context.Context, withChan) (int, error) { return 0, nil })
	})
	require.Panics(t, func() {
		durableobject.Method("Bad", func(*room, context.Context, int) (map[[2]int]int, error) { return nil, nil })
	})
	require.NotPanics(t, func() {
		durableobject.Method("Ok", func(*room, context.Context, withPrivate) (map[int]string, error) { return nil, nil })
	})
}

func TestSerializeRPC_CopiesValues(t *testing.T) {
	type box struct{ Items []int }
	eng, err := durableobject.NewEngine(nil, durableobject.Options{SerializeRPC: true})
	require.NoError(t, err)
	defer eng.Close(context.Background())
	require.NoError(t, eng.AddClass(durableobject.NewClass("Room", newRoom)))
	h, _ := eng.Namespace(durableobject.NamespaceConfig{Class: "Room"})
	ns, _ := durableobject.Bind[*room](h)
	require.NoError(t, eng.Start(appEnv{}))
	var seen *box
	m := durableobject.Method("Keep", func(r *room, _ context.Context, b *box) (*box, error) { seen = b; return b, nil })
	in := &box{Items: []int{1}}
	out, err := m.Call(context.Background(), ns.GetByName("x"), in)
	require.NoError(t, err)
	require.Equal(t, in, out)
	require.NotSame(t, in, seen, "the callee got a copy, as over the network")
	require.NotSame(t, in, out)
}

func TestNamespaceDir(t *testing.T) {
	for _, k := range []string{"chat-Room", "my worker/Room", ".hidden", "ünï", ""} {
		dir := durableobject.NamespaceDir(k)
		require.NotContains(t, dir, "/")
		require.NotEqual(t, ".", dir)
		require.NotEqual(t, "..", dir)
		d := durableobject.DirDriver(t.TempDir())
		eng, err := durableobject.NewEngine(nil, durableobject.Options{Driver: d})
		require.NoError(t, err)
		require.NoError(t, eng.AddClass(durableobject.NewClass("Room", newRoom)))
		_, err = eng.Namespace(durableobject.NamespaceConfig{Class: "Room", UniqueKey: k})
		if k == "" {
			require.NoError(t, err) // defaults to the class name
			k = "Room"
		} else {
			require.NoError(t, err)
		}
		require.NoError(t, eng.Close(context.Background()))
		nss, err := durableobject.ListNamespaces(context.Background(), d)
		require.NoError(t, err)
		require.Len(t, nss, 1)
		require.Equal(t, k, nss[0].UniqueKey, "the folder name reads back as the key")
	}
}

type durable struct{ state *durableobject.State }

func (d *durable) Incr(ctx context.Context, _ int) (int, error) {
	s := d.state.Storage()
	n, _, err := durableobject.Get[int](ctx, s, "n")
	if err != nil {
		return 0, err
	}
	n++
	return n, s.Put(ctx, "n", n)
}

var durableIncr = durableobject.Method("Incr", (*durable).Incr)

func openDurable(t testing.TB, dir string) (*durableobject.Engine, *durableobject.Namespace[*durable]) {
	eng, err := durableobject.NewEngine(nil, durableobject.Options{Dir: dir})
	require.NoError(t, err)
	require.NoError(t, eng.AddClass(durableobject.NewClass("D", func(s *durableobject.State, _ struct{}) *durable { return &durable{state: s} })))
	h, err := eng.Namespace(durableobject.NamespaceConfig{Class: "D"})
	require.NoError(t, err)
	ns, err := durableobject.Bind[*durable](h)
	require.NoError(t, err)
	require.NoError(t, eng.Start(struct{}{}))
	return eng, ns
}

// An object lives in one process at a time: a second engine on the same directory is refused
// its database while the first has it open, and gets it once the first lets it go.
func TestDirDriver_ObjectLivesInOneProcess(t *testing.T) {
	dir := t.TempDir()
	first, ns1 := openDurable(t, dir)
	n, err := durableIncr.Call(context.Background(), ns1.GetByName("one"), 0)
	require.NoError(t, err)
	second, ns2 := openDurable(t, dir)
	defer second.Close(context.Background())
	_, err = durableIncr.Call(context.Background(), ns2.GetByName("one"), 0)
	require.ErrorIs(t, err, durableobject.ErrInUse)
	require.NoError(t, first.Close(context.Background()))
	m, err := durableIncr.Call(context.Background(), ns2.GetByName("one"), 0)
	require.NoError(t, err)
	require.Equal(t, n+1, m)
}

// DO-018: a result the caller has seen survives the process being killed (kill -9) right
// after, also when concurrent callers share commits.
func TestDirDriver_DO018_SurvivesKill(t *testing.T) {
	if dir := os.Getenv("DURABLEOBJECT_KILL_CHILD"); dir != "" {
		_, ns := openDurable(t, dir)
		var mu sync.Mutex
		for range 8 {
			go func() {
				for {
					n, err := durableIncr.Call(context.Background(), ns.GetByName("k"), 0)
					if err != nil {
						panic(err)
					}
					mu.Lock()
					fmt.Println(n)
					mu.Unlock()
				}
			}()
		}
		select {}
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDirDriver_DO018_SurvivesKill$")
	cmd.Env = append(os.Environ(), "DURABLEOBJECT_KILL_CHILD="+dir)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(stdout)
	last := 0
	for sc.Scan() {
		if n, err := strconv.Atoi(sc.Text()); err == nil {
			last = max(last, n)
		}
		if last >= 300 {
			break
		}
	}
	require.NoError(t, cmd.Process.Kill())
	cmd.Wait()
	require.GreaterOrEqual(t, last, 300)
	eng, ns := openDurable(t, dir)
	defer eng.Close(context.Background())
	n, err := durableIncr.Call(context.Background(), ns.GetByName("k"), 0)
	require.NoError(t, err)
	require.Greater(t, n, last, "every acknowledged increment survived")
}
