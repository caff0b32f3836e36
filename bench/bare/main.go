// Command bare is the machine's ceiling for the HTTP benchmarks: a bare net/http server that
// answers /hello with "Hello World" and nothing else.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8789", "listen address (loopback)")
	flag.Parse()
	http.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "Hello World")
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
