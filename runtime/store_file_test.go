package runtime_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// storeOutcomes records what became of each publish of a store test, by
// topic (one message per topic, so PublishAsync failures, which the async
// error handler reports by topic, are told apart too).
type storeOutcomes struct {
	mu       sync.Mutex
	ok       map[string]bool  // topic -> published without error
	refused  map[string]error // topic -> the publish error
	reported []error          // errors that are not publish failures (store reports)
}

func newStoreOutcomes() *storeOutcomes {
	return &storeOutcomes{ok: map[string]bool{}, refused: map[string]error{}}
}

// record files the result of a Publish, or an async error handler call.
func (o *storeOutcomes) record(topic string, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case err == nil:
		o.ok[topic] = true
	case errors.Is(err, runtime.ErrPublishFailed):
		delete(o.ok, topic) // an async publish is first recorded as handed over
		o.refused[topic] = err
	default:
		o.reported = append(o.reported, err)
	}
}

// publishStream publishes one message to each of topics, alternating QoS 1
// and 2, with 4 goroutines calling Publish and, for the odd-numbered topics,
// PublishAsync instead.
func publishStream(c *runtime.Client, o *storeOutcomes, topics []string) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(topics); i += 4 {
				qos := byte(1 + i%2)
				if i%2 == 1 {
					o.record(topics[i], c.PublishAsync(topics[i], qos, false, "x"))
					continue
				}
				o.record(topics[i], c.Publish(topics[i], qos, false, "x"))
			}
		})
	}
	wg.Wait()
}

func topicRange(prefix string, n int) []string {
	topics := make([]string, n)
	for i := range topics {
		topics[i] = fmt.Sprintf("%s/%d", prefix, i)
	}
	return topics
}

// settle waits until every publish of c has settled (none in flight).
func settle(t *testing.T, c *runtime.Client) {
	t.Helper()
	require.Eventually(t, func() bool {
		s := c.GetStats()
		return s.MessagesSent == s.PublishAcked+s.PublishErrors
	}, 30*time.Second, 5*time.Millisecond, "publishes still in flight")
}

// check asserts, once deliveries are done, that every publish that
// succeeded was delivered exactly once and every one refused with
// ErrStoreFailed was never sent.
func (o *storeOutcomes) check(t *testing.T, rec *payloadCounter) (ok, refused int) {
	t.Helper()
	o.mu.Lock()
	var okTopics []string
	for topic := range o.ok {
		okTopics = append(okTopics, topic)
	}
	refusedErrs := make(map[string]error, len(o.refused))
	for topic, err := range o.refused {
		refusedErrs[topic] = err
	}
	o.mu.Unlock()
	require.Eventually(t, func() bool {
		for _, topic := range okTopics {
			if rec.count(topic, "x") == 0 {
				return false
			}
		}
		return true
	}, 10*time.Second, 10*time.Millisecond, "a publish that succeeded was not delivered")
	time.Sleep(200 * time.Millisecond) // room for a late duplicate
	for _, topic := range okTopics {
		assert.Equal(t, 1, rec.count(topic, "x"), "deliveries of %s", topic)
	}
	for topic, err := range refusedErrs {
		assert.ErrorIs(t, err, runtime.ErrStoreFailed, "%s", topic)
		assert.Zero(t, rec.count(topic, "x"), "%s was refused (%v) yet delivered", topic, err)
	}
	return len(okTopics), len(refusedErrs)
}

// Issue 13, item 3 (RELIABILITY.md, D14): paho's file store panicked, in
// the publishing goroutine or in paho's reader, when its directory was
// removed. Now: nothing panics; every publish succeeds (and is delivered
// exactly once) or fails with ErrPublishFailed; a store that cannot be
// written refuses QoS 1/2 publishes (ErrStoreFailed) and is written again
// as soon as it can be, after which publishes succeed and are kept on disk.
func TestFileStoreDirectoryRemovedMidStream(t *testing.T) {
	const clientID = "store-removed"
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	rec := newPayloadCounter()
	sub := connected(t, runtime.WithBroker(b.URL()))
	require.NoError(t, sub.Subscribe("gone/#", 2, rec.handler))
	root := t.TempDir()
	dir := filepath.Join(root, "client-"+clientID)
	out := newStoreOutcomes()
	pub := connected(t, runtime.WithBroker(p.URL()), runtime.WithClientID(clientID), runtime.WithCleanSession(false),
		runtime.WithMessageStore(runtime.StoreFile, root), runtime.WithOperationTimeout(10*time.Second),
		runtime.WithAsyncErrorHandler(out.record))

	// 1. The directory is removed ten times while 600 messages go out.
	stop := make(chan struct{})
	removed := make(chan int)
	go func() {
		n := 0
		defer func() { removed <- n }()
		for range 10 {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			if os.RemoveAll(dir) == nil {
				n++
			}
		}
	}()
	publishStream(pub, out, topicRange("gone/stream", 600))
	close(stop)
	removals := <-removed
	settle(t, pub)
	afterStream := pub.GetStats().StoreErrors

	// 2. A regular file takes the directory's place: the store cannot be
	// made again, so QoS 1/2 publishes are refused.
	require.Eventually(t, func() bool {
		if fi, err := os.Stat(dir); err == nil && fi.Mode().IsRegular() {
			return true
		}
		_ = os.RemoveAll(dir)
		_ = os.WriteFile(dir, []byte("not a directory"), 0o600)
		return false
	}, 5*time.Second, time.Millisecond)
	publishStream(pub, out, topicRange("gone/blocked", 40))
	settle(t, pub)
	out.mu.Lock()
	blockedRefused := 0
	for topic := range out.refused {
		if filepath.Dir(topic) == "gone/blocked" {
			blockedRefused++
		}
	}
	out.mu.Unlock()

	// 3. The file goes: the store makes its directory again and is written.
	require.NoError(t, os.Remove(dir))
	publishStream(pub, out, topicRange("gone/back", 100))
	settle(t, pub)
	p.Stall() // unacknowledged publishes must now be on disk
	for _, topic := range topicRange("gone/kept", 5) {
		require.NoError(t, pub.PublishAsync(topic, 1, false, "x"))
		out.record(topic, nil)
	}
	require.Eventually(t, func() bool {
		files, _ := filepath.Glob(filepath.Join(dir, "o.*.msg"))
		return len(files) == 5
	}, 5*time.Second, 5*time.Millisecond, "the unacknowledged publishes are not in the store directory")
	p.Resume()
	settle(t, pub)

	ok, refused := out.check(t, rec)
	s := pub.GetStats()
	out.mu.Lock()
	reported := append([]error(nil), out.reported...)
	backRefused := 0
	for topic := range out.refused {
		if filepath.Dir(topic) == "gone/back" || filepath.Dir(topic) == "gone/kept" {
			backRefused++
		}
	}
	out.mu.Unlock()
	t.Logf("directory removed %d times mid-stream (store errors %d), then blocked by a file: %d of 40 refused; "+
		"745 publishes: %d succeeded and delivered once, %d refused and not sent; store errors %d, async reports %d, connected %v",
		removals, afterStream, blockedRefused, ok, refused, s.StoreErrors, len(reported), s.Connected)

	assert.Positive(t, blockedRefused, "publishes made while the store could not be written were not refused")
	assert.Zero(t, backRefused, "publishes refused after the directory came back")
	assert.Positive(t, s.StoreErrors)
	require.NotEmpty(t, reported, "the async error handler was not told of the store failure")
	for _, err := range reported {
		assert.ErrorIs(t, err, runtime.ErrStoreFailed)
	}
	assert.True(t, s.Connected)
	files, _ := filepath.Glob(filepath.Join(dir, "*.msg"))
	assert.Empty(t, files, "acknowledged publishes left in the store directory")
}
