package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/flarego/flarego/workertest"
	"github.com/stretchr/testify/require"
)

func newRuntime(t *testing.T) *workertest.Runtime {
	return workertest.New(t, newApp(), workertest.Config(string(config)))
}

// groupState is GET /groups/NAME.
func groupState(t *testing.T, rt *workertest.Runtime, group string) stateMessage {
	t.Helper()
	resp := rt.Fetch(httptest.NewRequest("GET", "/groups/"+group, nil))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, _ := io.ReadAll(resp.Body)
	var st stateMessage
	require.NoError(t, json.Unmarshal(b, &st))
	return st
}

// A group plays together: a late joiner starts where the others are, a pause holds
// everyone, and when a track ends the alarm moves everyone to the next one. Minutes of
// music pass on the fake clock.
func TestAudioSync_GroupStaysInStep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		base, opts := servePipe(t, rt)
		start := time.Now()

		ada, _ := join(t, base, "friday", "ada", opts)
		st := ada.next()
		require.Equal(t, "Gymnopédie No. 1", st.Track.Title)
		require.False(t, st.Playing)
		require.Equal(t, 0.0, st.Position)
		require.Equal(t, []string{"ada"}, st.Members)

		ada.send(`{"type":"play"}`)
		st = ada.next()
		require.True(t, st.Playing)
		require.Equal(t, start.UnixMilli(), st.ServerTime)

		// 100 s in, Bob joins and is told the position, not the start.
		time.Sleep(100 * time.Second)
		bob, _ := join(t, base, "friday", "bob", opts)
		for _, p := range []*player{ada, bob} {
			st = p.next()
			require.True(t, st.Playing)
			require.Equal(t, 100.0, st.Position)
			require.ElementsMatch(t, []string{"ada", "bob"}, st.Members)
		}

		// Bob pauses; an hour later the group is still at 100 s.
		bob.send(`{"type":"pause"}`)
		ada.next()
		bob.next()
		time.Sleep(time.Hour)
		st = groupState(t, rt, "friday")
		require.False(t, st.Playing)
		require.Equal(t, 100.0, st.Position)

		// Seek near the end and play: the track ends 5 s later and the alarm starts the next.
		ada.send(`{"type":"seek","position":180}`)
		ada.next()
		bob.next()
		ada.send(`{"type":"play"}`)
		ada.next()
		require.Equal(t, 180.0, bob.next().Position)
		playedAt := time.Now()
		for _, p := range []*player{ada, bob} {
			st = p.next() // sent by the alarm
			require.Equal(t, 1, st.Index)
			require.Equal(t, "Clair de lune", st.Track.Title)
			require.Equal(t, 0.0, st.Position)
			require.True(t, st.Playing)
			require.Equal(t, playedAt.Add(5*time.Second).UnixMilli(), st.ServerTime)
		}

		// Leaving is announced.
		bob.conn.CloseNow()
		require.Equal(t, []string{"ada"}, ada.next().Members)
		ada.send(`{"type":"next"}`)
		require.Equal(t, "Arabesque No. 1", ada.next().Track.Title)
		ada.send(`{"type":"dance"}`)
		require.JSONEq(t, `{"type":"error","message":"unknown command \"dance\""}`, ada.nextRaw())
		ada.conn.CloseNow()
	})
}

// The playback is in storage and the track-end alarm is durable: with nobody connected and
// the object long evicted, the group still moves on through its playlist.
func TestAudioSync_PlaysOnWithNobodyListening(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := newRuntime(t)
		base, opts := servePipe(t, rt)
		ada, _ := join(t, base, "night", "ada", opts)
		ada.next()
		ada.send(`{"type":"play"}`)
		ada.next()
		ada.conn.CloseNow()

		// 185 + 300 + 10 seconds later: the third track, 10 s in.
		time.Sleep(495 * time.Second)
		synctest.Wait()
		st := groupState(t, rt, "night")
		require.Equal(t, 2, st.Index)
		require.Equal(t, 10.0, st.Position)
		require.Empty(t, st.Members)
	})
}

func TestAudioSync_Playlist(t *testing.T) {
	rt := newRuntime(t)
	put := func(body string) *http.Response {
		return rt.Fetch(httptest.NewRequest("PUT", "/groups/club/playlist", strings.NewReader(body)))
	}
	require.Equal(t, http.StatusBadRequest, put(`[]`).StatusCode)
	require.Equal(t, http.StatusBadRequest, put(`[{"title":"x","duration":0}]`).StatusCode)
	require.Equal(t, http.StatusOK, put(`[{"title":"Intro","url":"/intro.mp3","duration":30}]`).StatusCode)
	st := groupState(t, rt, "club")
	require.Equal(t, "Intro", st.Track.Title)
	require.False(t, st.Playing)

	resp := rt.Fetch(httptest.NewRequest("GET", "/groups/club/listen?name=ada", nil))
	require.Equal(t, http.StatusUpgradeRequired, resp.StatusCode)
}

// The same over real sockets, through a real HTTP server.
func TestAudioSync_OverRealSockets(t *testing.T) {
	rt := newRuntime(t)
	base := serve(t, rt)
	ada, code := join(t, base, "live", "ada", nil)
	require.Equal(t, http.StatusSwitchingProtocols, code)
	ada.next()
	bob, _ := join(t, base, "live", "bob", nil)
	ada.next()
	bob.next()
	ada.send(`{"type":"play"}`)
	require.True(t, ada.next().Playing)
	require.True(t, bob.next().Playing)
	_, code = join(t, base, "live", "no spaces", nil)
	require.Equal(t, http.StatusBadRequest, code)
}
