package cron_test

import (
	"fmt"
	"time"

	"github.com/flarego/flarego/cron"
)

func ExampleSchedule_Next() {
	s, err := cron.Parse("0 9 * * MON-FRI") // 09:00 UTC on weekdays
	if err != nil {
		panic(err)
	}
	t := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC) // a Friday afternoon
	for range 3 {
		t = s.Next(t)
		fmt.Println(t.Format(time.RFC1123))
	}
	// Output:
	// Mon, 04 Jan 2027 09:00:00 UTC
	// Tue, 05 Jan 2027 09:00:00 UTC
	// Wed, 06 Jan 2027 09:00:00 UTC
}
