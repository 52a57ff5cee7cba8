package runtime_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Security of issue 6: credentials never appear in logs, errors, or the
// printed forms of the config and the client, through a whole lifecycle:
// refused login, connect, subscribe refusal, lost link, failed
// reconnections, giving up. (TestConfigMasksSecrets covers printing a
// Config on its own.)

const (
	secretPassword = "pw-Zq9-never-print"
	secretURLPass  = "urlpw-Xk2-never-print"
)

func TestSecurityCredentialsNotInLogsOrErrors(t *testing.T) {
	b := mqtttest.NewBroker(t, mqtttest.WithUser("dev", secretPassword),
		mqtttest.WithACL("user dev\ntopic readwrite allowed/#\n"))
	p := mqtttest.NewProxy(t, b.URL())
	var mu sync.Mutex
	var logs strings.Builder
	logger := slogTo(&mu, &logs)
	var texts []string
	keep := func(what string, v any) { texts = append(texts, fmt.Sprintf("%s: %v / %+v / %#v", what, v, v, v)) }

	// A refused login with the password in the URL and in the options.
	withURL := strings.Replace(p.URL(), "tcp://", "tcp://dev:"+secretURLPass+"@", 1)
	bad, err := runtime.New(runtime.WithBroker(withURL), runtime.WithCredentials("dev", "wrong-"+secretPassword),
		runtime.WithLogger(logger), runtime.WithConnectTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	keep("login error", bad.Connect(context.Background()))

	// A working client that then loses its link for good.
	var asyncErrs []error
	var amu sync.Mutex
	gaveUp := make(chan error, 1)
	c, err := runtime.New(runtime.WithBroker(p.URL()), runtime.WithCredentials("dev", secretPassword),
		runtime.WithLogger(logger), runtime.WithMaxReconnectAttempts(2), runtime.WithMaxReconnectDelay(100*time.Millisecond),
		runtime.WithConnectTimeout(time.Second), runtime.WithOperationTimeout(time.Second),
		runtime.WithAsyncErrorHandler(func(_ string, err error) { amu.Lock(); asyncErrs = append(asyncErrs, err); amu.Unlock() }),
		runtime.WithReconnectFailedHandler(func(err error) { gaveUp <- err }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	if err := c.Connect(context.Background()); err != nil {
		t.Fatalf("connect: %v", err)
	}
	keep("subscribe refusal", c.Subscribe("secret/#", 1, nil))
	keep("stats", c.GetStats())
	p.RefuseNew(true)
	p.Drop()
	select {
	case err := <-gaveUp:
		keep("give-up error", err)
	case <-time.After(10 * time.Second):
		t.Fatal("reconnection never gave up")
	}
	keep("publish while down", c.Publish("allowed/x", 1, false, "x"))
	amu.Lock()
	keep("async errors", asyncErrs)
	amu.Unlock()

	mu.Lock()
	all := strings.Join(texts, "\n") + "\n" + logs.String()
	mu.Unlock()
	for _, secret := range []string{secretPassword, secretURLPass} {
		if i := strings.Index(all, secret); i >= 0 {
			lo, hi := max(0, i-200), min(len(all), i+len(secret)+50)
			t.Errorf("secret %q printed: ...%s...", secret, all[lo:hi])
		}
	}
	if !strings.Contains(all, "login refused") || !strings.Contains(all, "gave up") {
		t.Errorf("the lifecycle was not exercised:\n%s", all)
	}
	t.Logf("checked %d printed values and %d bytes of logs for 2 secrets", len(texts), logs.Len())
}

// A *Client printed with %v, %+v or %#v (say, in a debug log line) must not
// show the password either: fmt prints unexported fields without calling
// their String methods, so Config's masking does not apply there.
func TestSecurityClientPrintMasksCredentials(t *testing.T) {
	withURL := "tcp://dev:" + secretURLPass + "@127.0.0.1:1883"
	c, err := runtime.New(runtime.WithBroker(withURL), runtime.WithCredentials("dev", secretPassword))
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		printed := fmt.Sprintf(verb, c)
		for _, secret := range []string{secretPassword, secretURLPass} {
			if i := strings.Index(printed, secret); i >= 0 {
				t.Errorf("%s of a *Client prints %q: ...%s...", verb, secret, printed[max(0, i-80):i+len(secret)])
			}
		}
	}
}
