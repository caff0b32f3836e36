package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

func newRuntime(t *testing.T) *workertest.Runtime {
	return workertest.New(t, newApp(), workertest.Config(string(config)))
}

// roster is GET /rooms/NAME.
func roster(t *testing.T, rt *workertest.Runtime, room string) []Player {
	t.Helper()
	resp := rt.Fetch(httptest.NewRequest("GET", "/rooms/"+room, nil))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, _ := io.ReadAll(resp.Body)
	var ps []Player
	require.NoError(t, json.Unmarshal(b, &ps))
	return ps
}

// Two players join, one moves, one leaves: everyone hears about everything, in order.
func TestGameRoom_JoinMoveLeave(t *testing.T) {
	rt := newRuntime(t)
	base := serve(t, rt)

	ada, code := join(t, base, "lobby", "ada", nil)
	require.Equal(t, http.StatusSwitchingProtocols, code)
	welcome := ada.next()
	require.Equal(t, "welcome", welcome.Type)
	require.Equal(t, Player{Name: "ada"}, *welcome.You)
	require.Empty(t, welcome.Players)

	bob, _ := join(t, base, "lobby", "bob", nil)
	welcome = bob.next()
	require.Equal(t, Player{Name: "bob", X: 2}, *welcome.You)
	require.Equal(t, []Player{{Name: "ada"}}, welcome.Players)
	require.Equal(t, event{Type: "joined", Player: &Player{Name: "bob", X: 2}}, ada.next())

	ada.send(`{"type":"move","dx":1,"dy":1}`)
	moved := event{Type: "moved", Player: &Player{Name: "ada", X: 1, Y: 1}}
	require.Equal(t, moved, ada.next())
	require.Equal(t, moved, bob.next())

	// Off the board is as far as it goes; big steps are one step.
	ada.send(`{"type":"move","dx":-5,"dy":-1}`)
	require.Equal(t, &Player{Name: "ada", X: 0, Y: 0}, ada.next().Player)
	bob.next()

	require.ElementsMatch(t, []Player{{Name: "ada"}, {Name: "bob", X: 2}}, roster(t, rt, "lobby"))

	ada.send(`jump`)
	require.Equal(t, "error", ada.next().Type)

	bob.conn.Close(websocket.StatusNormalClosure, "gone")
	require.Equal(t, event{Type: "left", Player: &Player{Name: "bob", X: 2}}, ada.next())
	require.Equal(t, []Player{{Name: "ada"}}, roster(t, rt, "lobby"))
}

// Names are unique per room; rooms are separate objects.
func TestGameRoom_NamesAndRooms(t *testing.T) {
	rt := newRuntime(t)
	base := serve(t, rt)
	ada, _ := join(t, base, "lobby", "ada", nil)
	ada.next()

	_, code := join(t, base, "lobby", "ada", nil)
	require.Equal(t, http.StatusConflict, code)
	_, code = join(t, base, "lobby", "not a name", nil)
	require.Equal(t, http.StatusBadRequest, code)

	other, code := join(t, base, "arena", "ada", nil)
	require.Equal(t, http.StatusSwitchingProtocols, code)
	require.Empty(t, other.next().Players, "arena is a different room")
	require.Len(t, roster(t, rt, "lobby"), 1)

	resp := rt.Fetch(httptest.NewRequest("GET", "/rooms/lobby/join?name=bob", nil))
	require.Equal(t, http.StatusUpgradeRequired, resp.StatusCode)
}

// Pings are answered without the room's code running.
func TestGameRoom_PingAutoResponse(t *testing.T) {
	rt := newRuntime(t)
	ada, _ := join(t, serve(t, rt), "lobby", "ada", nil)
	ada.next()
	ada.send("ping")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, data, err := ada.conn.Read(ctx)
	require.NoError(t, err)
	require.Equal(t, "pong", string(data))
}

// An idle room hibernates: its object leaves memory while the players stay connected.
// The next move wakes it, and it knows every player and position from the sockets'
// attachments. The hour passes on the fake clock, over in-memory connections.
func TestGameRoom_StateSurvivesHibernation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		base, opts := servePipe(t, rt)
		ada, _ := join(t, base, "lobby", "ada", opts)
		ada.next()
		bob, _ := join(t, base, "lobby", "bob", opts)
		bob.next()
		ada.next()
		ada.send(`{"type":"move","dx":1,"dy":0}`)
		ada.next()
		bob.next()

		time.Sleep(time.Hour) // far past the 10 s after which an idle room hibernates
		synctest.Wait()

		bob.send(`{"type":"move","dx":0,"dy":1}`)
		require.Equal(t, &Player{Name: "bob", X: 2, Y: 1}, ada.next().Player)
		bob.next()
		require.ElementsMatch(t, []Player{{Name: "ada", X: 1}, {Name: "bob", X: 2, Y: 1}}, roster(t, rt, "lobby"))

		ada.conn.CloseNow()
		bob.conn.CloseNow()
	})
}
