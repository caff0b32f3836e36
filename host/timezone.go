package host

import "time"

// W-032: a program that runs workers sees UTC whatever the machine's TZ, as in production.
// Set at start-up, before any goroutine reads the local zone.
func init() { time.Local = time.UTC }
