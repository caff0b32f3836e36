package queues_test

import (
	"context"
	"testing"
	"time"

	"github.com/flarego/flarego/queues"
)

func TestTools_ListInfoPurge(t *testing.T) {
	synctestRun(t, func(t *testing.T) {
		d := queues.NewMemoryDriver()
		e, err := queues.NewEngine(d, queues.Options{Consumers: []queues.ConsumerConfig{
			{Queue: "jobs", DeadLetterQueue: "jobs-dlq", MaxBatchSize: 20},
			{Queue: "pulled", Type: queues.PullConsumer},
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close(context.Background())
		ctx := context.Background()
		jobs := producerOf[Job](e, "jobs")
		for i := range 4 {
			jobs.Send(ctx, Job{N: i})
		}
		jobs.Send(ctx, Job{}, queues.Delay(time.Minute))
		producerOf[Job](e, "jobs-dlq").Send(ctx, Job{})
		producerOf[Job](e, "idle") // a producer binding, nothing sent
		e.Pull(ctx, "pulled", 1, 0)
		d.Lease(ctx, "jobs", 1, time.Now(), time.Now().Add(time.Minute)) // one in flight

		list, err := e.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, q := range list {
			names = append(names, q.Name)
		}
		want := []string{"idle", "jobs", "jobs-dlq", "pulled"}
		if len(names) != len(want) {
			t.Fatalf("List = %q, want %q", names, want)
		}
		for i := range want {
			if names[i] != want[i] {
				t.Fatalf("List = %q, want %q", names, want)
			}
		}
		info := list[1]
		if info.Messages != 5 || info.Ready != 3 || info.InFlight != 1 || info.Delayed != 1 ||
			info.DeadLetterQueue != "jobs-dlq" || info.DeadLetterMessages != 1 || info.Consumer == nil ||
			info.Consumer.MaxBatchSize != 20 || info.Consumer.Running || info.Bytes == 0 || info.Oldest.IsZero() {
			t.Errorf("Info(jobs) = %+v (consumer %+v)", info, info.Consumer)
		}
		if p := list[3]; p.Consumer == nil || p.Consumer.Type != queues.PullConsumer || p.Consumer.VisibilityTimeout != 30*time.Second {
			t.Errorf("Info(pulled) consumer = %+v", p.Consumer)
		}
		if list[0].Consumer != nil || list[0].Messages != 0 {
			t.Errorf("Info(idle) = %+v", list[0])
		}
		n, err := e.Purge(ctx, "jobs")
		if err != nil || n != 5 {
			t.Errorf("Purge = %d, %v; want 5", n, err)
		}
		if got := depth(t, e, "jobs").Messages; got != 0 {
			t.Errorf("depth after purge %d", got)
		}
	})
}
