package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // register the formats image.Decode reads
	_ "image/jpeg"
	"image/png"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/r2"
	"github.com/flarego/flarego/worker"
)

// Thumbnails are at most thumbSize pixels on their longer side; images larger than
// maxPixels are refused before decoding, so a small file cannot claim gigabytes of memory.
const (
	thumbSize = 128
	maxPixels = 4096 * 4096
)

// makeThumbnails is the consumer of the "thumbnails" queue. Each message is acknowledged
// or retried on its own, so one bad file does not hold up the others; after max_retries a
// message goes to the dead-letter queue.
func makeThumbnails(batch *queues.Batch[ThumbnailJob], env Env, ctx *worker.Context) error {
	for _, m := range batch.Messages {
		if err := makeThumbnail(ctx, env, m.Body.Key); err != nil {
			ctx.Logger().Warn("thumbnail failed", "key", m.Body.Key, "attempt", m.Attempts, "err", err)
			m.Retry()
			continue
		}
		m.Ack()
	}
	return nil
}

// makeThumbnail writes thumbs/… for files/…: a downscaled PNG for an image, a short text
// summary for anything else.
func makeThumbnail(ctx context.Context, env Env, key string) error {
	obj, err := env.Files.Get(ctx, key, nil)
	if errors.Is(err, r2.ErrNotFound) {
		return nil // deleted since it was queued: nothing to do
	}
	if err != nil {
		return err
	}
	data, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil {
		return err
	}
	thumb, ct := summary(data), "text/plain; charset=utf-8"
	if img, ok := decodeImage(data); ok {
		var buf bytes.Buffer
		if err := png.Encode(&buf, downscale(img, thumbSize)); err != nil {
			return err
		}
		thumb, ct = buf.Bytes(), "image/png"
	}
	_, err = env.Files.Put(ctx, "thumbs/"+strings.TrimPrefix(key, "files/"), bytes.NewReader(thumb),
		&r2.PutOptions{HTTPMetadata: &r2.HTTPMetadata{ContentType: ct}})
	return err
}

// decodeImage decodes PNG, JPEG and GIF, refusing images too large to decode safely.
func decodeImage(data []byte) (image.Image, bool) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width*cfg.Height > maxPixels {
		return nil, false
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	return img, err == nil
}

// downscale shrinks img so that its longer side is at most size, averaging each block of
// source pixels into one (a box filter: simple, and free of aliasing when shrinking).
func downscale(img image.Image, size int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= size && h <= size {
		return img
	}
	tw, th := size, max(1, h*size/w)
	if h > w {
		tw, th = max(1, w*size/h), size
	}
	dst := image.NewRGBA64(image.Rect(0, 0, tw, th))
	for y := range th {
		y0, y1 := y*h/th, max((y+1)*h/th, y*h/th+1)
		for x := range tw {
			x0, x1 := x*w/tw, max((x+1)*w/tw, x*w/tw+1)
			var r, g, bl, a, n uint64
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					// RGBA is premultiplied by alpha, so averaging it is correct.
					cr, cg, cb, ca := img.At(b.Min.X+sx, b.Min.Y+sy).RGBA()
					r, g, bl, a, n = r+uint64(cr), g+uint64(cg), bl+uint64(cb), a+uint64(ca), n+1
				}
			}
			dst.SetRGBA64(x, y, color.RGBA64{R: uint16(r / n), G: uint16(g / n), B: uint16(bl / n), A: uint16(a / n)})
		}
	}
	return dst
}

// summary describes a file that is not an image: counts and the first lines of text, or
// the size and SHA-256 of binary data.
func summary(data []byte) []byte {
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return fmt.Appendf(nil, "binary file, %d bytes, sha256 %x\n", len(data), sha256.Sum256(data))
	}
	text := string(data)
	lines := strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		lines++
	}
	out := fmt.Sprintf("text, %d lines, %d words, %d bytes\n", lines, len(strings.Fields(text)), len(data))
	head := strings.SplitN(strings.TrimRight(text, "\n"), "\n", 4)
	if len(head) > 3 {
		head = head[:3]
	}
	for _, l := range head {
		if len(l) > 100 {
			l = truncate(l, 100) + "…"
		}
		out += "> " + l + "\n"
	}
	return []byte(out)
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
