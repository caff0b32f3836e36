package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/coder/websocket"
)

// This file drives headless Chromium over the Chrome DevTools Protocol: JSON messages over
// one WebSocket, {id, method, params, sessionId} out and {id, result | error} back.

// chromium finds the browser, installing the distribution's package when the test runs as
// root, and skips the test otherwise.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("chromium is not installed and the test is not root: install it with `apt-get install -y chromium` to run this test")
	}
	t.Log("installing chromium with apt-get (once)")
	install := func() error {
		out, err := exec.Command("apt-get", "install", "-y", "--no-install-recommends", "chromium").CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	}
	if err := install(); err != nil {
		// Stale package lists are the usual cause: refresh them and try once more.
		if out, err := exec.Command("apt-get", "update").CombinedOutput(); err != nil {
			t.Fatalf("apt-get update: %v: %s", err, out)
		}
		if err := install(); err != nil {
			t.Fatalf("apt-get install chromium: %v", err)
		}
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium installed but not found: %v", err)
	}
	return p
}

var devtoolsURL = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

// startBrowser runs headless Chromium and returns its DevTools WebSocket URL; the browser
// is stopped when the test ends.
func startBrowser(t *testing.T) string {
	cmd := exec.Command(chromium(t), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--window-size=1000,640",
		"--remote-debugging-port=0", "--user-data-dir="+t.TempDir(), "about:blank")
	// A process group of its own, so that the browser's child processes (renderers, GPU)
	// are stopped with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	// Chromium prints the URL on stderr once it listens; the rest of stderr is drained.
	lines := bufio.NewScanner(stderr)
	var seen []string
	for lines.Scan() {
		if m := devtoolsURL.FindStringSubmatch(lines.Text()); m != nil {
			go io.Copy(io.Discard, stderr)
			return m[1]
		}
		seen = append(seen, lines.Text())
	}
	t.Fatalf("chromium exited without a DevTools URL:\n%s", strings.Join(seen, "\n"))
	return ""
}

// cdp is a DevTools connection.
type cdp struct {
	conn    *websocket.Conn
	mu      sync.Mutex
	lastID  int
	pending map[int]chan cdpReply
}

type cdpReply struct {
	ID     int             `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

func dialCDP(ctx context.Context, url string) (*cdp, error) {
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(64 << 20) // screenshots arrive as one message
	c := &cdp{conn: conn, pending: map[int]chan cdpReply{}}
	go c.read()
	return c, nil
}

// read hands each reply to its caller; events (messages without an id) are not used.
func (c *cdp) read() {
	for {
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			c.mu.Lock()
			for id, ch := range c.pending {
				close(ch)
				delete(c.pending, id)
			}
			c.mu.Unlock()
			return
		}
		var r cdpReply
		if json.Unmarshal(data, &r) != nil || r.ID == 0 {
			continue
		}
		c.mu.Lock()
		ch := c.pending[r.ID]
		delete(c.pending, r.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- r
		}
	}
}

// call sends method to the browser (session "") or to a page's session, and decodes the
// result into out when out is not nil.
func (c *cdp) call(ctx context.Context, session, method string, params, out any) error {
	c.mu.Lock()
	c.lastID++
	id := c.lastID
	ch := make(chan cdpReply, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	b, _ := json.Marshal(msg)
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		return err
	}
	select {
	case r, ok := <-ch:
		switch {
		case !ok:
			return fmt.Errorf("%s: connection closed", method)
		case r.Error != nil:
			return fmt.Errorf("%s: %s", method, r.Error.Message)
		case out != nil:
			return json.Unmarshal(r.Result, out)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// page is one browser tab.
type page struct {
	t       *testing.T
	ctx     context.Context
	c       *cdp
	session string
}

// newPage opens a tab and attaches to it.
func (c *cdp) newPage(ctx context.Context, t *testing.T) *page {
	var target struct{ TargetID string }
	if err := c.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		t.Fatal(err)
	}
	var attached struct{ SessionID string }
	if err := c.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		t.Fatal(err)
	}
	return &page{t: t, ctx: ctx, c: c, session: attached.SessionID}
}

func (p *page) navigate(url string) {
	p.t.Helper()
	if err := p.c.call(p.ctx, p.session, "Page.navigate", map[string]any{"url": url}, nil); err != nil {
		p.t.Fatal(err)
	}
	p.waitFor(`document.readyState === "complete"`)
}

// eval runs JavaScript in the page, awaiting a promise result, and returns its value.
func (p *page) eval(js string) json.RawMessage {
	p.t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.c.call(p.ctx, p.session, "Runtime.evaluate", map[string]any{
		"expression": js, "awaitPromise": true, "returnByValue": true,
	}, &res)
	if err != nil {
		p.t.Fatal(err)
	}
	if e := res.ExceptionDetails; e != nil {
		p.t.Fatalf("in the page: %s %s\n(evaluating %s)", e.Text, e.Exception.Description, js)
	}
	return res.Result.Value
}

// waitFor waits until the JavaScript condition holds, checking it in the page between
// frames. The page gives up after 20 s so that a broken test fails with the condition
// named instead of hanging.
func (p *page) waitFor(cond string) {
	p.t.Helper()
	p.eval(fmt.Sprintf(`new Promise((resolve, reject) => {
		const start = Date.now();
		const check = () => {
			if (%s) return resolve(true);
			if (Date.now() - start > 20000) return reject(new Error(%q));
			setTimeout(check, 20);
		};
		check();
	})`, cond, "timed out waiting for "+cond))
}

// fill types value into the input matching selector.
func (p *page) fill(selector, value string) {
	p.t.Helper()
	p.eval(fmt.Sprintf(`document.querySelector(%q).value = %q`, selector, value))
}

// click clicks the first element matching selector whose text is text ("" for any).
func (p *page) click(selector, text string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf(`[...document.querySelectorAll(%q)].some((e) => %q === "" || e.textContent === %q)`, selector, text, text))
	p.eval(fmt.Sprintf(`[...document.querySelectorAll(%q)].find((e) => %q === "" || e.textContent === %q).click()`, selector, text, text))
}

// text is the text content of the element matching selector.
func (p *page) text(selector string) string {
	p.t.Helper()
	var s string
	json.Unmarshal(p.eval(fmt.Sprintf(`document.querySelector(%q).textContent`, selector)), &s)
	return s
}

// screenshot returns the page as PNG. The tab is brought to the front first: a background
// tab paints no frames to capture.
func (p *page) screenshot() []byte {
	p.t.Helper()
	if err := p.c.call(p.ctx, p.session, "Page.bringToFront", nil, nil); err != nil {
		p.t.Fatal(err)
	}
	var shot struct{ Data []byte } // base64 in JSON decodes into []byte
	if err := p.c.call(p.ctx, p.session, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot); err != nil {
		p.t.Fatal(err)
	}
	return shot.Data
}
