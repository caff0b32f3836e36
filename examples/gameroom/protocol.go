package main

// The messages of the room's WebSocket protocol, as JSON objects with a "type".
//
// From a player:
//
//	{"type":"move","dx":1,"dy":0}        step on the board (each of dx, dy in -1…1)
//	ping                                  answered "pong" without waking the room
//
// From the room:
//
//	{"type":"welcome","you":{…},"players":[{…},…]}   to a new player: who is already here
//	{"type":"joined","player":{"name":"ada","x":0,"y":0}}
//	{"type":"moved","player":{"name":"ada","x":1,"y":0}}
//	{"type":"left","player":{"name":"ada","x":1,"y":0}}
//	{"type":"error","message":"…"}

// boardSize is the board's width and height; positions are 0…boardSize-1.
const boardSize = 16

// maxPlayers is how many players fit in a room.
const maxPlayers = 8

// Player is a player on the board.
type Player struct {
	Name string `json:"name"`
	X    int    `json:"x"`
	Y    int    `json:"y"`
}

// event is a message from the room.
type event struct {
	Type    string   `json:"type"`
	You     *Player  `json:"you,omitempty"`
	Player  *Player  `json:"player,omitempty"`
	Players []Player `json:"players,omitempty"`
	Message string   `json:"message,omitempty"`
}

// command is a message from a player.
type command struct {
	Type string `json:"type"`
	DX   int    `json:"dx"`
	DY   int    `json:"dy"`
}
