package main

import (
	"time"
)

// The group's WebSocket protocol. Members send commands:
//
//	{"type":"play"}  {"type":"pause"}  {"type":"next"}  {"type":"seek","position":42.5}
//
// and the group answers every change, and every join and leave, with its whole state:
//
//	{"type":"state","index":1,"track":{…},"playing":true,"position":12.5,
//	 "serverTime":946684812500,"members":["ada","bob"]}
//
// A player sets itself to position and, while playing, adds the time since serverTime (in
// Unix milliseconds) by its own clock, less the clock offset it measured. Late joiners get
// the same message on arrival, so they start where everyone else is.

// command is a message from a member.
type command struct {
	Type     string  `json:"type"`
	Position float64 `json:"position"` // seconds, for seek
}

// stateMessage is the group's state as members receive it.
type stateMessage struct {
	Type       string   `json:"type"`
	Index      int      `json:"index"`
	Track      Track    `json:"track"`
	Playing    bool     `json:"playing"`
	Position   float64  `json:"position"`   // seconds into the track, at ServerTime
	ServerTime int64    `json:"serverTime"` // Unix milliseconds
	Members    []string `json:"members"`
}

func (p *Playback) message(now time.Time, members []string) stateMessage {
	return stateMessage{
		Type: "state", Index: p.Index, Track: p.Playlist[p.Index], Playing: p.Playing,
		Position: p.positionAt(now).Seconds(), ServerTime: now.UnixMilli(), Members: members,
	}
}
