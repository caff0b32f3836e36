package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// screenshotEnv, when set, makes the end-to-end test also write its screenshot to
// testdata/screenshot.png (otherwise it is only kept under the test's temporary directory).
const screenshotEnv = "CHAT_SCREENSHOT"

// Two people chat in two browser tabs: Ada creates a server and a channel on the page, Bob
// finds them and joins, and each sees the other's message arrive over the WebSocket.
func TestChat_EndToEndInTwoBrowserTabs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	rt := newRuntime(t)
	srv := httptest.NewServer(rt.Runner)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	browser, err := dialCDP(ctx, startBrowser(t))
	require.NoError(t, err)
	defer browser.call(context.Background(), "", "Browser.close", nil, nil)

	ada := browser.newPage(ctx, t)
	ada.navigate(srv.URL + "/")
	ada.fill("#me", "ada")
	ada.fill("#new-server input", "Acme")
	ada.click("#new-server button", "")
	ada.waitFor(`document.querySelector("#servers button.current")?.textContent === "Acme"`)
	ada.fill("#new-channel input", "general")
	ada.click("#new-channel button", "")
	ada.waitFor(`document.querySelector("#members").textContent === "Here: ada"`)

	bob := browser.newPage(ctx, t)
	bob.navigate(srv.URL + "/")
	bob.fill("#me", "bob")
	bob.click("#servers button", "Acme")
	bob.click("#channels button", "#general")
	bob.waitFor(`document.querySelector("#members").textContent === "Here: ada, bob"`)
	ada.waitFor(`document.querySelector("#members").textContent === "Here: ada, bob"`)

	bob.fill("#compose input", "hello from bob")
	bob.click("#compose button", "")
	ada.waitFor(`document.querySelector("#messages").textContent.includes("bob hello from bob")`)
	ada.fill("#compose input", "hi bob, welcome to Acme")
	ada.click("#compose button", "")
	bob.waitFor(`document.querySelector("#messages").textContent.includes("ada hi bob, welcome to Acme")`)
	require.Equal(t, "Acme #general", bob.text("#title"))

	// The page's messages are the channel's: the API returns the same two.
	var servers []Server
	require.Equal(t, http.StatusOK, request(t, rt, "GET", "/api/servers", "", &servers))
	var channels []ChannelInfo
	request(t, rt, "GET", fmt.Sprintf("/servers/%d/channels", servers[0].ID), "", &channels)
	var msgs []Message
	request(t, rt, "GET", fmt.Sprintf("/servers/%d/channels/%d/messages", servers[0].ID, channels[0].ID), "", &msgs)
	require.Len(t, msgs, 2)
	require.Equal(t, "bob", msgs[0].Author)

	shot := ada.screenshot()
	_, err = png.Decode(bytes.NewReader(shot))
	require.NoError(t, err, "the screenshot is a PNG")
	path := filepath.Join(t.TempDir(), "screenshot.png")
	require.NoError(t, os.WriteFile(path, shot, 0o644))
	t.Logf("screenshot: %s", path)
	if os.Getenv(screenshotEnv) != "" {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(filepath.Join("testdata", "screenshot.png"), shot, 0o644))
	}
}
