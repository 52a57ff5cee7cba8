package main

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// pongTimeout bounds the wait for one echo; a missing echo is counted lost.
const pongTimeout = 2 * time.Second

// latency is the round-trip samples of one variant.
type latency struct {
	variant string
	samples []time.Duration
	lost    int
}

// runLatency measures n round trips, one message at a time: this process
// publishes a humidity reading at QoS 0, the subscriber process answers
// each with a temperature reading at QoS 0, and the time until the answer
// arrives here is one sample. Both sides use the variant, so the typed
// figure includes encoding, validating and decoding on both legs.
func (r *runner) runLatency(variant string, n, warmup int) (latency, error) {
	l := latency{variant: variant}
	ping, pong := humidityChannel(), temperatureChannel()
	if _, err := r.child.do(command{Op: "echo", Variant: variant, Broker: r.url, Channel: ping.name, Reply: pong.name}); err != nil {
		return l, err
	}
	c, err := dial(variant, r.url, fmt.Sprintf("mqttbench-ping-%d", time.Now().UnixNano()))
	if err != nil {
		return l, err
	}
	defer c.close()
	answers := make(chan struct{}, 1)
	got := func() {
		select {
		case answers <- struct{}{}:
		default: // a late answer to a ping already counted lost
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if err := c.subscribe(ctx, pong, got, func() {}); err != nil {
		return l, err
	}
	timer := time.NewTimer(pongTimeout)
	defer timer.Stop()
	for i := range n + warmup {
		start := time.Now()
		if err := c.publish(context.Background(), ping, 0); err != nil {
			return l, err
		}
		timer.Reset(pongTimeout)
		select {
		case <-answers:
			if i >= warmup {
				l.samples = append(l.samples, time.Since(start))
			}
		case <-timer.C:
			l.lost++
		}
	}
	_, err = r.child.do(command{Op: "stop"})
	slices.Sort(l.samples)
	return l, err
}

// percentile of sorted samples, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
