package main

import (
	"strings"
	"unicode"
)

// maxChunkWords bounds a chunk: small enough that one chunk is about one topic, which is
// what makes a bag-of-words embedding match well.
const maxChunkWords = 80

// chunk is a piece of a document, located by byte offsets so that it can be read back
// from R2 with a range request.
type chunk struct {
	Start, End int
}

// splitChunks cuts text into paragraphs (separated by blank lines), and paragraphs longer
// than maxChunkWords into runs of whole sentences.
func splitChunks(text string) []chunk {
	var out []chunk
	for _, p := range spans(text, 0, len(text), paragraphEnd) {
		if words(text[p.Start:p.End]) <= maxChunkWords {
			out = append(out, p)
			continue
		}
		cur := chunk{Start: -1}
		for _, s := range spans(text, p.Start, p.End, sentenceEnd) {
			if cur.Start >= 0 && words(text[cur.Start:s.End]) > maxChunkWords {
				out = append(out, cur)
				cur.Start = -1
			}
			if cur.Start < 0 {
				cur.Start = s.Start
			}
			cur.End = s.End
		}
		if cur.Start >= 0 {
			out = append(out, cur)
		}
	}
	return out
}

// spans splits text[start:end] at the boundaries found by next, trimming white space and
// dropping empty pieces. next returns the end of the piece starting at i.
func spans(text string, start, end int, next func(s string) int) []chunk {
	var out []chunk
	for i := start; i < end; {
		n := next(text[i:end])
		c := trim(text, i, i+n)
		if c.End > c.Start {
			out = append(out, c)
		}
		i += n
	}
	return out
}

// paragraphEnd is the length of the first paragraph of s, its blank line included.
func paragraphEnd(s string) int {
	if i := strings.Index(s, "\n\n"); i >= 0 {
		return i + 2
	}
	return len(s)
}

// sentenceEnd is the length of the first sentence of s: up to ". ", "! " or "? ".
func sentenceEnd(s string) int {
	for i := 0; i+1 < len(s); i++ {
		if strings.IndexByte(".!?", s[i]) >= 0 && unicode.IsSpace(rune(s[i+1])) {
			return i + 2
		}
	}
	return len(s)
}

func trim(text string, start, end int) chunk {
	for start < end && unicode.IsSpace(rune(text[start])) {
		start++
	}
	for end > start && unicode.IsSpace(rune(text[end-1])) {
		end--
	}
	return chunk{Start: start, End: end}
}

func words(s string) int { return len(strings.Fields(s)) }
