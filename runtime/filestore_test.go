package runtime_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// childEnv makes the test binary act as the publishing process of
// TestFileStoreSurvivesKill instead of running the tests.
const childEnv = "MQTTGEN_RUNTIME_FILESTORE_CHILD"

const (
	storeClientID = "filestore-publisher"
	storeMessages = 10
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(fileStoreChild(os.Getenv("CHILD_BROKER"), os.Getenv("CHILD_STORE")))
	}
	os.Exit(m.Run())
}

// fileStoreChild connects, waits for "publish" on stdin, publishes QoS 1
// and 2 messages that cannot be acknowledged (the parent stalled the link),
// reports "stored" once paho has written them to the file store, and waits
// to be killed.
func fileStoreChild(broker, dir string) int {
	c, err := runtime.New(runtime.WithBroker(broker), runtime.WithClientID(storeClientID),
		runtime.WithCleanSession(false), runtime.WithMessageStore(runtime.StoreFile, dir),
		runtime.WithAutoReconnect(false), runtime.WithOperationTimeout(30*time.Second))
	if err != nil {
		fmt.Println("error:", err)
		return 2
	}
	if err := c.Connect(context.Background()); err != nil {
		fmt.Println("error:", err)
		return 2
	}
	fmt.Println("connected")
	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() || in.Text() != "publish" {
		return 2
	}
	for i := range storeMessages {
		if err := c.PublishAsync(fmt.Sprintf("fs/%d", i), byte(1+i%2), false, fmt.Sprint(i)); err != nil {
			fmt.Println("error:", err)
			return 2
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(dir, "*", "o.*.msg"))
		if len(files) == storeMessages {
			fmt.Println("stored")
			time.Sleep(30 * time.Second) // the parent kills us long before
			return 0
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("error: messages never reached the file store")
	return 2
}

// QoS 1/2 messages not acknowledged when the publishing process is killed
// are sent by the next process with the same client ID and file store.
func TestFileStoreSurvivesKill(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	store := t.TempDir()
	sub := connected(t, runtime.WithBroker(b.URL()))
	in := newInbox()
	if err := sub.Subscribe("fs/#", 2, in.handler); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	child := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"=1", "CHILD_BROKER="+p.URL(), "CHILD_STORE="+store)
	child.Stderr = os.Stderr
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Wait()
	defer child.Process.Kill()
	lines := make(chan string, 10)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	expect := func(want string) {
		t.Helper()
		select {
		case line := <-lines:
			if line != want {
				t.Fatalf("child said %q, want %q", line, want)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("child did not say %q", want)
		}
	}
	expect("connected")
	p.Stall()
	fmt.Fprintln(stdin, "publish")
	expect("stored")
	if err := child.Process.Kill(); err != nil { // SIGKILL: no chance to flush or disconnect
		t.Fatal(err)
	}
	_ = child.Wait()
	p.Drop() // what the child wrote into the stalled link never reaches the broker
	p.Close()
	in.none(t, 300*time.Millisecond)

	// A new process (this one) with the same client ID and store.
	next := connected(t, runtime.WithBroker(b.URL()), runtime.WithClientID(storeClientID),
		runtime.WithCleanSession(false), runtime.WithMessageStore(runtime.StoreFile, store))
	got := make(map[string]int)
	for len(got) < storeMessages {
		m := in.next(t, 5*time.Second)
		got[m.payload]++
		if want := fmt.Sprintf("fs/%s", m.payload); m.topic != want {
			t.Errorf("topic %q for payload %q", m.topic, m.payload)
		}
	}
	for i := 1; i < storeMessages; i += 2 { // QoS 2: exactly once
		if n := got[fmt.Sprint(i)]; n != 1 {
			t.Errorf("QoS 2 message %d delivered %d times", i, n)
		}
	}
	waitFor(t, 5*time.Second, "the store to empty", func() bool {
		files, _ := filepath.Glob(filepath.Join(store, "*", "o.*.msg"))
		return len(files) == 0
	})
	if s := next.GetStats(); s.MessagesSent != 0 {
		t.Errorf("the resent messages were not published by this process: %+v", s)
	}
}
