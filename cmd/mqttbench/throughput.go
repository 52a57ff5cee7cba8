package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// trial is one throughput measurement of one variant at one QoS.
type trial struct {
	variant  string
	qos      byte
	sent     int64
	received int64
	rejected int64
	rate     float64 // messages received per second, publish start to last receive
	pubCPU   float64 // CPU seconds of each process during the trial
	subCPU   float64
	brokCPU  float64
	elapsed  time.Duration
}

// lost is how many sent messages the subscriber never saw.
func (t trial) lost() int64 { return t.sent - t.received - t.rejected }

// runTrial publishes n messages of the QoS's channel from this process
// with workers goroutines, each waiting for its acknowledgement as a
// synchronous publish does, while the subscriber process counts them.
// Both sides use the same variant.
func (r *runner) runTrial(variant string, qos byte, n int64) (trial, error) {
	ch := channelFor(qos)
	t := trial{variant: variant, qos: qos, sent: n}
	ready, err := r.child.do(command{Op: "recv", Variant: variant, Broker: r.url, Channel: ch.name})
	if err != nil {
		return t, err
	}
	pub, err := dial(variant, r.url, fmt.Sprintf("mqttbench-pub-%d", time.Now().UnixNano()))
	if err != nil {
		return t, err
	}
	defer pub.close()
	cpu0, brok0 := cpuSeconds(), procCPUSeconds(r.brokerPID)
	start := time.Now()
	if err := publishN(pub, ch, qos, n, r.workers); err != nil {
		return t, err
	}
	// QoS 0 may lose messages: stop waiting a second after the last one.
	res, err := r.child.do(command{Op: "wait", N: n, IdleMS: 1000})
	if err != nil {
		return t, err
	}
	if _, err := r.child.do(command{Op: "stop"}); err != nil {
		return t, err
	}
	t.received, t.rejected = res.Count, res.Rejected
	t.pubCPU, t.subCPU, t.brokCPU = cpuSeconds()-cpu0, res.CPU-ready.CPU, procCPUSeconds(r.brokerPID)-brok0
	if res.Last > 0 {
		t.elapsed = time.Unix(0, res.Last).Sub(start)
		t.rate = float64(t.received) / t.elapsed.Seconds()
	}
	return t, nil
}

// publishN sends n messages with workers concurrent synchronous publishers.
func publishN(c *conn, ch channel, qos byte, n int64, workers int) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			ctx := context.Background()
			for next.Add(1) <= n {
				if err := c.publish(ctx, ch, qos); err != nil {
					errs <- fmt.Errorf("%s publish qos %d: %w", c.variant, qos, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}
