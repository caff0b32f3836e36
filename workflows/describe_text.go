package workflows

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText writes the description for a terminal, as the CLI's describe shows it: the
// instance, then one line per step and one per attempt.
func (d *Description) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	line := func(k string, v any) { fmt.Fprintf(tw, "%s:\t%v\n", k, v) }
	line("Instance", d.ID)
	line("Status", d.Status)
	line("Queued", stamp(d.Queued))
	if !d.Start.IsZero() {
		line("Start", stamp(d.Start))
	}
	if !d.End.IsZero() {
		line("End", stamp(d.End))
		line("Duration", d.End.Sub(d.Start).Round(time.Millisecond))
	}
	if len(d.Params) > 0 {
		line("Params", string(d.Params))
	}
	if d.Output != nil {
		line("Output", string(d.Output))
	}
	if d.Error != nil {
		line("Error", d.Error.Name+": "+d.Error.Message)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(d.Steps) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tTYPE\tSTATE\tSTART\tEND\tDETAIL")
	for _, s := range d.Steps {
		name := s.Name
		if s.Occurrence > 1 {
			name = fmt.Sprintf("%s (#%d)", s.Name, s.Occurrence)
		}
		var detail []string
		switch {
		case s.Error != nil:
			detail = append(detail, s.Error.Name+": "+s.Error.Message)
		case s.Output != nil:
			detail = append(detail, "output "+clip(string(s.Output), 60))
		}
		if !s.Until.IsZero() && s.State == "waiting" {
			detail = append(detail, "until "+stamp(s.Until))
		}
		if s.EventType != "" {
			detail = append(detail, "event "+s.EventType)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, s.Type, s.State, stamp(s.Start), stamp(s.End), strings.Join(detail, "; "))
		for i, a := range s.Attempts {
			outcome := "running"
			if a.Success != nil && *a.Success {
				outcome = "ok"
			} else if a.Error != nil {
				outcome = a.Error.Name + ": " + a.Error.Message
			}
			fmt.Fprintf(tw, "  attempt %d\t\t\t%s\t%s\t%s\n", i+1, stamp(a.Start), stamp(a.End), outcome)
		}
	}
	return tw.Flush()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05.000")
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
