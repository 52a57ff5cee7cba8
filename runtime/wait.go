package runtime

import (
	"context"
	"errors"
	"fmt"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// startPaho runs a paho call and returns its token, giving up when ctx
// ends. Paho's calls can block while handing the packet to its writer (up
// to OperationTimeout, paho's write timeout), which must not outlast ctx.
func startPaho(ctx context.Context, call func() mqttclient.Token) (mqttclient.Token, error) {
	if ctx.Err() != nil { // nothing is sent on behalf of an ended context
		return nil, ctxError(ctx)
	}
	ch := make(chan mqttclient.Token, 1) // buffered: the goroutine never blocks after we give up
	go func() { ch <- call() }()
	select {
	case tok := <-ch:
		return tok, nil
	case <-ctx.Done():
		return nil, ctxError(ctx)
	}
}

// waitToken waits for tok, bounded by ctx: never token.Wait(), which hangs
// forever on a dropped link.
func waitToken(ctx context.Context, tok mqttclient.Token) error {
	select {
	case <-tok.Done():
		return tok.Error()
	case <-ctx.Done():
		return ctxError(ctx)
	}
}

// ctxError turns an ended context into ErrTimeout when a deadline passed
// (keeping context.DeadlineExceeded in the chain) or the context's error.
func ctxError(ctx context.Context) error {
	err := ctx.Err()
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}
