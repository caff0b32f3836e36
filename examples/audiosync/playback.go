package main

import (
	"time"
)

// Track is one entry of a group's playlist.
type Track struct {
	Title    string  `json:"title"`
	URL      string  `json:"url"`
	Duration float64 `json:"duration"` // seconds
}

func (t Track) length() time.Duration { return time.Duration(t.Duration * float64(time.Second)) }

// defaultPlaylist is what a new group plays until someone sets its own.
var defaultPlaylist = []Track{
	{Title: "Gymnopédie No. 1", URL: "/audio/gymnopedie-1.mp3", Duration: 185},
	{Title: "Clair de lune", URL: "/audio/clair-de-lune.mp3", Duration: 300},
	{Title: "Arabesque No. 1", URL: "/audio/arabesque-1.mp3", Duration: 270},
}

// Playback is where a group is: which track, playing or not, and how far in. It stores a
// position and the moment it was true rather than a position that changes every instant,
// so nothing needs updating while the music plays.
type Playback struct {
	Playlist []Track       `json:"playlist"`
	Index    int           `json:"index"`
	Playing  bool          `json:"playing"`
	Position time.Duration `json:"position"` // into the track, at At
	At       time.Time     `json:"at"`
}

// positionAt is how far into the track the group is at now.
func (p *Playback) positionAt(now time.Time) time.Duration {
	if !p.Playing {
		return p.Position
	}
	return min(p.Position+now.Sub(p.At), p.Playlist[p.Index].length())
}

// freeze records the position at now, before a change.
func (p *Playback) freeze(now time.Time) {
	p.Position, p.At = p.positionAt(now), now
}

// trackEnds is when the current track ends if nobody intervenes; ok is false when paused.
func (p *Playback) trackEnds() (t time.Time, ok bool) {
	if !p.Playing {
		return time.Time{}, false
	}
	return p.At.Add(p.Playlist[p.Index].length() - p.Position), true
}

// advance moves to the next track (after the last, the first) at its start.
func (p *Playback) advance(at time.Time) {
	p.Index = (p.Index + 1) % len(p.Playlist)
	p.Position, p.At = 0, at
}
