//go:build linux

package runtime_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Issue 13, item 3 (RELIABILITY.md, D14), a full disk: the file store lives
// on a 1 MiB tmpfs, which a file then fills. Publishes succeed (delivered
// exactly once) or are refused with ErrStoreFailed and not sent; nothing
// panics; once the file is gone, every publish succeeds again. Mounting
// needs root (CAP_SYS_ADMIN): without it the test says so and skips.
func TestFileStoreDiskFull(t *testing.T) {
	root := t.TempDir()
	if err := syscall.Mount("tmpfs", root, "tmpfs", 0, "size=1m,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs for the full disk (needs root): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(root, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", root, err)
		}
	})
	b := mqtttest.NewBroker(t)
	rec := newPayloadCounter()
	sub := connected(t, runtime.WithBroker(b.URL()))
	require.NoError(t, sub.Subscribe("full/#", 2, rec.handler))
	out := newStoreOutcomes()
	pub := connected(t, runtime.WithBroker(b.URL()), runtime.WithClientID("store-full"), runtime.WithCleanSession(false),
		runtime.WithMessageStore(runtime.StoreFile, root), runtime.WithOperationTimeout(10*time.Second),
		runtime.WithAsyncErrorHandler(out.record))

	publishStream(pub, out, topicRange("full/before", 100))
	settle(t, pub)

	filler := filepath.Join(root, "filler")
	fillDisk(t, filler)
	publishStream(pub, out, topicRange("full/full", 100))
	settle(t, pub)
	duringFull := pub.GetStats()

	require.NoError(t, os.Remove(filler))
	publishStream(pub, out, topicRange("full/after", 100))
	settle(t, pub)

	ok, refused := out.check(t, rec)
	s := pub.GetStats()
	out.mu.Lock()
	var fullRefused, otherRefused int
	for topic := range out.refused {
		if filepath.Dir(topic) == "full/full" {
			fullRefused++
		} else {
			otherRefused++
		}
	}
	reported := append([]error(nil), out.reported...)
	out.mu.Unlock()
	t.Logf("300 publishes (100 before, 100 with the disk full, 100 after): %d succeeded and delivered once, "+
		"%d refused and not sent (%d while full); store errors %d while full, %d in all; async reports %d; connected %v",
		ok, refused, fullRefused, duringFull.StoreErrors, s.StoreErrors, len(reported), s.Connected)

	assert.Positive(t, fullRefused, "publishes made on a full disk were not refused")
	assert.Zero(t, otherRefused, "publishes refused while the disk had room")
	assert.Positive(t, duringFull.StoreErrors)
	assert.Equal(t, duringFull.StoreErrors, s.StoreErrors, "store errors after the disk had room again")
	require.NotEmpty(t, reported)
	for _, err := range reported {
		assert.ErrorIs(t, err, runtime.ErrStoreFailed)
		assert.ErrorIs(t, err, syscall.ENOSPC)
	}
	assert.True(t, s.Connected)
}

// fillDisk writes path until the file system is full.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	chunk := make([]byte, 4096)
	for range 1 << 10 { // 4 MiB at most, for a 1 MiB file system
		if _, err := f.Write(chunk); err != nil {
			require.True(t, errors.Is(err, syscall.ENOSPC), "filling the disk: %v", err)
			return
		}
	}
	t.Fatal("the file system never filled")
}
