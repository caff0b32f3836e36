package queues_test

import (
	"context"
	"fmt"
	"time"

	"github.com/flarego/flarego/queues"
	"github.com/flarego/flarego/worker"
)

// A worker sends jobs from its fetch handler through a producer binding and handles them in
// a consumer registered with Consume. Here the Engine is made by hand, as a unit test
// would; the runner does the same from the config.
func Example() {
	type Env struct {
		Jobs *queues.Producer[Job] `binding:"JOBS"`
	}
	app := newAppFor[Env]()
	done := make(chan struct{})
	queues.Consume(app, "jobs", func(batch *queues.Batch[Job], env Env, ctx *worker.Context) error {
		for _, m := range batch.Messages {
			fmt.Printf("job %d (%s), attempt %d\n", m.Body.N, m.Body.Name, m.Attempts)
		}
		close(done)
		return nil // every message not retried is acknowledged
	})

	engine, _ := queues.Open("", queues.Options{ // "" keeps the queues in memory
		Consumers: []queues.ConsumerConfig{{Queue: "jobs", MaxBatchTimeout: new(time.Duration(0))}},
	})
	defer engine.Close(context.Background())
	env := Env{Jobs: queues.NewProducer[Job](engine.Producer(queues.ProducerConfig{Queue: "jobs"}))}
	engine.Start(env, app.Registrations())

	if err := env.Jobs.Send(context.Background(), Job{N: 1, Name: "resize"}); err != nil {
		fmt.Println(err)
	}
	<-done
	// Output: job 1 (resize), attempt 1
}

// Send's errors carry the platform's text.
func ExampleProducer_Send_errors() {
	engine, _ := queues.Open("", queues.Options{})
	defer engine.Close(context.Background())
	p := queues.NewProducer[any](engine.Producer(queues.ProducerConfig{Queue: "jobs"}))

	fmt.Println(p.Send(context.Background(), 42, queues.ContentText))
	fmt.Println(p.Send(context.Background(), "hi", queues.Delay(13*time.Hour)) != nil)
	fmt.Println(p.SendBatch(context.Background(), nil))
	// Output:
	// Content Type "text" requires a value of type string, but received: number
	// true
	// sendBatch() requires at least one message
}

// Retry a message later, acknowledge the rest.
func ExampleMessage_Retry() {
	handle := func(batch *queues.Batch[Job], env struct{}, ctx *worker.Context) error {
		for _, m := range batch.Messages {
			if m.Body.N < 0 {
				m.Retry(queues.Delay(30 * time.Second))
				continue
			}
			m.Ack()
		}
		return nil
	}
	_ = handle
}
