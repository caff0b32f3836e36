package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// redBlue is a w×h PNG, red on the left half and blue on the right.
func redBlue(t *testing.T, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{R: 255, A: 255}
			if x >= w/2 {
				c = color.NRGBA{B: 255, A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// An uploaded image gets a 128-pixel PNG thumbnail from the queue consumer.
func TestFiles_ImageThumbnailFromTheQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newClient(t, newRuntime(t))
		c.signIn("ada@example.com")
		pic := redBlue(t, 300, 150)
		resp, _ := c.do("PUT", "/api/files/flag.png", bytes.NewReader(pic), "Content-Type", "image/png")
		require.Equal(t, http.StatusCreated, resp.StatusCode)

		var files []FileInfo
		require.Equal(t, http.StatusOK, c.json("GET", "/api/files", nil, &files))
		require.Equal(t, []FileInfo{{Name: "flag.png", Size: int64(len(pic)), ContentType: "image/png", Thumbnail: "pending"}}, files)
		resp, _ = c.do("GET", "/api/files/flag.png/thumbnail", nil)
		require.Equal(t, http.StatusNotFound, resp.StatusCode)

		advance(2 * time.Second) // the consumer's max_batch_timeout is 1 s

		require.Equal(t, http.StatusOK, c.json("GET", "/api/files", nil, &files))
		require.Equal(t, "image/png", files[0].Thumbnail)
		resp, body := c.do("GET", "/api/files/flag.png/thumbnail", nil)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "image/png", resp.Header.Get("Content-Type"))
		thumb, err := png.Decode(bytes.NewReader(body))
		require.NoError(t, err)
		require.Equal(t, image.Rect(0, 0, 128, 64), thumb.Bounds())
		r, _, b, _ := thumb.At(10, 30).RGBA()
		require.Greater(t, r, b, "left stays red")
		r, _, b, _ = thumb.At(120, 30).RGBA()
		require.Greater(t, b, r, "right stays blue")

		// The original is untouched, and served with ranges.
		resp, body = c.do("GET", "/api/files/flag.png", nil)
		require.Equal(t, pic, body)
		resp, body = c.do("GET", "/api/files/flag.png", nil, "Range", "bytes=1-3")
		require.Equal(t, http.StatusPartialContent, resp.StatusCode)
		require.Equal(t, "PNG", string(body))
	})
}

// Anything that is not an image gets a text summary instead.
func TestFiles_TextSummaryForOtherFiles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newClient(t, newRuntime(t))
		c.signIn("ada@example.com")
		notes := "Quarterly notes\nRevenue is up.\nHiring two engineers.\nOffsite in June.\n"
		c.do("PUT", "/api/files/notes.txt", strings.NewReader(notes), "Content-Type", "text/plain")
		c.do("PUT", "/api/files/short.txt", strings.NewReader("one\ntwo\n"), "Content-Type", "text/plain")
		c.do("PUT", "/api/files/blob.bin", bytes.NewReader([]byte{0, 1, 2, 3}), "Content-Type", "application/octet-stream")
		advance(2 * time.Second)

		_, body := c.do("GET", "/api/files/notes.txt/thumbnail", nil)
		require.Equal(t, "text, 4 lines, 11 words, 70 bytes\n> Quarterly notes\n> Revenue is up.\n> Hiring two engineers.\n", string(body))
		_, body = c.do("GET", "/api/files/short.txt/thumbnail", nil)
		require.Equal(t, "text, 2 lines, 2 words, 8 bytes\n> one\n> two\n", string(body))
		_, body = c.do("GET", "/api/files/blob.bin/thumbnail", nil)
		require.Equal(t, "binary file, 4 bytes, sha256 054edec1d0211f624fed0cbca9d4f9400b0e491c43742af2c5b0abebf0c990d8\n", string(body))
	})
}

// Files are private to their owner.
func TestFiles_OwnersOnly(t *testing.T) {
	rt := newRuntime(t)
	ada, bob := newClient(t, rt), newClient(t, rt)
	ada.signIn("ada@example.com")
	bob.signIn("bob@example.com")
	ada.do("PUT", "/api/files/secret.txt", strings.NewReader("ada's"))
	resp, _ := bob.do("GET", "/api/files/secret.txt", nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	var files []FileInfo
	require.Equal(t, http.StatusOK, bob.json("GET", "/api/files", nil, &files))
	require.Empty(t, files)
	resp, _ = newClient(t, rt).do("PUT", "/api/files/x.txt", strings.NewReader("x"))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
