// Command bare is the machine's ceiling for the HTTP and WebSocket benchmarks: a bare
// net/http server that answers /hello with "Hello World" and nothing else, and whose
// /ws/{room} is a WebSocket room that sends every message to every member with as little
// work as a server can do (see room).
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"sync"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8789", "listen address (loopback)")
	flag.Parse()
	http.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "Hello World")
	})
	rooms := map[string]*room{}
	var mu sync.Mutex
	http.HandleFunc("/ws/{room}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		rm := rooms[r.PathValue("room")]
		if rm == nil {
			rm = &room{members: map[*member]struct{}{}}
			rooms[r.PathValue("room")] = rm
		}
		mu.Unlock()
		rm.serveHTTP(w, r)
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
