package generated_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// The README's broker compatibility table, measured: each broker runs the
// same five scenarios, and the row it produces must be the row the README
// shows (TestBrokerCompatTableInREADME checks the README side). A broker
// whose version differs from the one measured runs the scenarios and logs
// its row, but is not held to the README's.

// compatRow is what a broker did in each scenario, as a README table row.
type compatRow struct {
	broker   string // name and the version measured, as in the README
	qos2     string
	retained string
	share    string
	will     string
	sessions string
}

func (r compatRow) String() string {
	return "| " + strings.Join([]string{r.broker, r.qos2, r.retained, r.share, r.will, r.sessions}, " | ") + " |"
}

// compatWant are the README's rows; version is the version measured.
var compatWant = []struct {
	version string
	row     compatRow
}{
	{"2.0.11", compatRow{"Mosquitto 2.0.11", "yes", "yes", "yes", "yes", "yes"}},
	{"v2.7.9", compatRow{"mochi-mqtt v2.7.9 (embedded)", "yes", "yes", "yes", "yes", mochiSessions}},
	{"2.9.10", compatRow{"NATS 2.9.10 (3-node cluster)",
		"no: granted QoS 1; a QoS 2 PUBLISH closes the connection", "yes",
		"no: an ordinary topic, members get nothing", "yes", "yes"}},
	{"3.10.8", compatRow{"RabbitMQ 3.10.8 (MQTT plugin)",
		"no: granted QoS 1; a QoS 2 PUBLISH gets a PUBACK",
		"exact topics only: none for a `+`/`#` filter",
		"no: an ordinary topic, members get nothing", "yes", "yes"}},
}

// compatBroker is a broker under test: clients of a scenario connect to
// url; publishers in the sessions scenario to other (another node of a
// cluster, else url too).
type compatBroker struct {
	name, version string
	url, other    string
}

func TestBrokerCompatMosquitto(t *testing.T) {
	b := mqtttest.NewBroker(t)
	if b.Embedded() {
		t.Skip("mosquitto is not installed; TestBrokerCompatEmbedded covers the embedded broker")
	}
	version := "unknown"
	if out, _ := exec.Command("mosquitto", "-h").CombinedOutput(); len(out) > 0 {
		first, _, _ := strings.Cut(string(out), "\n")
		version = strings.TrimPrefix(strings.TrimSpace(first), "mosquitto version ")
	}
	runCompat(t, compatBroker{"Mosquitto", version, b.URL(), b.URL()})
}

func TestBrokerCompatEmbedded(t *testing.T) {
	b := mqtttest.NewBroker(t, mqtttest.WithEmbedded())
	// A test binary carries no module versions; go.mod has the one linked.
	version := "unknown"
	if mod, err := os.ReadFile("../go.mod"); err == nil {
		for line := range strings.Lines(string(mod)) {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "github.com/mochi-mqtt/server/v2" {
				version = f[1]
			}
		}
	}
	runCompat(t, compatBroker{"mochi-mqtt", version, b.URL(), b.URL()})
}

// The NATS and RabbitMQ tests run in parallel with each other (and with
// TestNATSClusterFailover): their brokers spend most of their start
// waiting for timers, and together they stay well within CI's budget.

func TestBrokerCompatNATS(t *testing.T) {
	t.Parallel()
	c := mqtttest.NewNATSCluster(t, 3)
	urls := c.URLs()
	runCompat(t, compatBroker{"NATS", strings.TrimPrefix(c.Version(), "nats-server: v"), urls[0], urls[1]})
}

// TestBrokerCompatRabbitMQ boots the one RabbitMQ node of this test binary
// (10–20 s); every RabbitMQ scenario runs under it.
func TestBrokerCompatRabbitMQ(t *testing.T) {
	t.Parallel()
	r := mqtttest.NewRabbitMQ(t)
	runCompat(t, compatBroker{"RabbitMQ", r.Version(), r.URL(), r.URL()})
}

// runCompat runs the scenarios on b and compares the row with the README's.
func runCompat(t *testing.T, b compatBroker) {
	var got compatRow
	t.Run("QoS 2", func(t *testing.T) { got.qos2 = compatQoS2(t, b) })
	t.Run("retained", func(t *testing.T) { got.retained = compatRetained(t, b) })
	t.Run("share", func(t *testing.T) { got.share = compatShare(t, b) })
	t.Run("will", func(t *testing.T) { got.will = compatWill(t, b) })
	t.Run("sessions", func(t *testing.T) { got.sessions = compatSessions(t, b) })
	for _, w := range compatWant {
		if !strings.HasPrefix(w.row.broker, b.name+" ") {
			continue
		}
		got.broker = w.row.broker
		if b.version != w.version {
			t.Logf("%s %s (the README's row is for %s): %s", b.name, b.version, w.version, got)
			return
		}
		assert.Equal(t, w.row.String(), got.String(), "the README's row for %s", b.name)
		return
	}
	t.Errorf("no README row for %s", b.name)
}

// compatQoS2: what a QoS 2 SUBSCRIBE is granted, what the broker answers
// to a QoS 2 PUBLISH (read off the wire), and what the runtime's QoS 2
// publish then does.
func compatQoS2(t *testing.T, b compatBroker) string {
	answer := rawQoS2Answer(t, b.url)
	sub := compatClient(t, b.url)
	in := make(chan mqttclient.Message, 10)
	require.NoError(t, sub.Subscribe("compat/qos2", 2, func(_ mqttclient.Client, m mqttclient.Message) { in <- m }))
	granted := sub.GetSubscriptions()[0].GrantedQoS

	pub := compatClient(t, b.url, mqttrt.WithAutoReconnect(false))
	err := pub.Publish("compat/qos2", 2, false, "exactly once?")
	var deliveries []byte // QoS of each delivery
	first := 3 * time.Second
	if err != nil {
		first = 500 * time.Millisecond // nothing was sent; this only checks
	}
	for timeout := first; ; timeout = 300 * time.Millisecond {
		select {
		case m := <-in:
			deliveries = append(deliveries, m.Qos())
			continue
		case <-time.After(timeout):
		}
		break
	}
	t.Logf("%s %s: SUBSCRIBE QoS 2 granted %d; raw QoS 2 PUBLISH answered with %s; runtime Publish QoS 2: err %v, delivered at QoS %v",
		b.name, b.version, granted, answer, err, deliveries)
	switch {
	case granted == 2 && answer == "PUBREC" && err == nil && len(deliveries) == 1 && deliveries[0] == 2:
		return "yes"
	case answer == "PUBACK":
		// The runtime takes the PUBACK for the end of the exchange: the
		// message is delivered, at QoS 1.
		assert.NoError(t, err, "the runtime's QoS 2 publish answered with a PUBACK")
		assert.Equal(t, []byte{1}, deliveries)
	case answer == "connection closed":
		assert.ErrorIs(t, err, mqttrt.ErrPublishFailed, "the runtime's QoS 2 publish on a connection the broker closes")
		assert.Empty(t, deliveries)
		persistentQoS2(t, b)
	}
	return fmt.Sprintf("no: granted QoS %d; a QoS 2 PUBLISH %s", granted, map[string]string{
		"PUBREC": "gets a PUBREC", "PUBACK": "gets a PUBACK", "connection closed": "closes the connection",
	}[answer])
}

// persistentQoS2: with a persistent session, a QoS 2 publish the broker
// answers by closing the connection stays in the client's store; every
// reconnection resends it and loses the connection again, and Publish
// fails once OperationTimeout has passed (D17: it used to return nil).
func persistentQoS2(t *testing.T, b compatBroker) {
	const timeout = 1500 * time.Millisecond
	c := compatClient(t, b.url, mqttrt.WithCleanSession(false), mqttrt.WithOperationTimeout(timeout),
		mqttrt.WithMaxReconnectDelay(100*time.Millisecond))
	start := time.Now()
	err := c.Publish("compat/qos2", 2, false, "refused")
	s := c.GetStats()
	t.Logf("%s %s, persistent session: runtime Publish QoS 2: err %v after %v, connection losses %d",
		b.name, b.version, err, time.Since(start).Round(time.Millisecond), s.ConnectionLosses)
	assert.ErrorIs(t, err, mqttrt.ErrTimeout)
	assert.Greater(t, s.ConnectionLosses, uint64(1), "each reconnection resends the message and loses the connection")
}

// compatRetained: a retained message reaches a later subscriber to its
// exact topic, and one subscribing with a wildcard filter.
func compatRetained(t *testing.T, b compatBroker) string {
	topic := fmt.Sprintf("compat/retained/%d/x", time.Now().UnixNano())
	pub := compatClient(t, b.url)
	require.NoError(t, pub.Publish(topic, 1, true, "kept"))
	t.Cleanup(func() { _ = pub.Publish(topic, 1, true, "") }) // clears it

	receivesRetained := func(filter string) bool {
		c := compatClient(t, b.url)
		in := make(chan mqttclient.Message, 1)
		require.NoError(t, c.Subscribe(filter, 1, func(_ mqttclient.Client, m mqttclient.Message) { in <- m }))
		select {
		case m := <-in:
			return m.Retained() && string(m.Payload()) == "kept"
		case <-time.After(2 * time.Second):
			return false
		}
	}
	exact := receivesRetained(topic)
	wildcard := receivesRetained(strings.TrimSuffix(topic, "x") + "+")
	t.Logf("retained message: exact-topic subscriber %v, wildcard subscriber %v", exact, wildcard)
	switch {
	case exact && wildcard:
		return "yes"
	case exact:
		return "exact topics only: none for a `+`/`#` filter"
	default:
		return "no"
	}
}

// compatShare: two members of one $share group and a plain subscriber as
// the control; 20 messages.
func compatShare(t *testing.T, b compatBroker) string {
	const n = 20
	var control tally
	require.NoError(t, compatClient(t, b.url).Subscribe("compat/share/+", 1, control.handler))
	var members [2]tally
	for i := range members {
		require.NoError(t, compatClient(t, b.url).Subscribe("$share/compat/compat/share/+", 1, members[i].handler))
	}
	pub := compatClient(t, b.url)
	for i := range n {
		require.NoError(t, pub.Publish("compat/share/x", 1, false, fmt.Sprint(i)))
	}
	waitForG(t, 10*time.Second, "the control subscriber to get every message", func() bool { return control.total() >= n })
	time.Sleep(500 * time.Millisecond) // the members get that time again
	got := [2]int{members[0].total(), members[1].total()}
	distinct := len(members[0].union(&members[1]))
	t.Logf("$share: %d messages, members got %d and %d (%d distinct)", n, got[0], got[1], distinct)
	switch {
	case got[0]+got[1] == n && distinct == n && got[0] > 0 && got[1] > 0:
		return "yes"
	case got[0]+got[1] == 0:
		return "no: an ordinary topic, members get nothing"
	default:
		return fmt.Sprintf("no: members got %d and %d of %d", got[0], got[1], n)
	}
}

// compatWill: a client whose link is cut (the proxy resets it, no
// DISCONNECT) has its will published.
func compatWill(t *testing.T, b compatBroker) string {
	topic := fmt.Sprintf("compat/will/%d", time.Now().UnixNano())
	in := make(chan string, 1)
	require.NoError(t, compatClient(t, b.url).Subscribe(topic, 1, func(_ mqttclient.Client, m mqttclient.Message) { in <- string(m.Payload()) }))
	p := mqtttest.NewProxy(t, b.url)
	compatClient(t, p.URL(), mqttrt.WithWill(topic, []byte("gone"), 1, false), mqttrt.WithAutoReconnect(false))
	p.Drop()
	select {
	case w := <-in:
		assert.Equal(t, "gone", w)
		return "yes"
	case <-time.After(5 * time.Second):
		return "no"
	}
}

// compatSessions: a subscriber with a fixed client ID and a persistent
// session goes away; 20 readings are published (on another node of a
// cluster); when it connects again, all 20 arrive. Through the generated
// client.
func compatSessions(t *testing.T, b compatBroker) string {
	const n = 20
	sub := compatClient(t, b.url, mqttrt.WithClientID(fmt.Sprintf("compat-session-%d", time.Now().UnixNano())),
		mqttrt.WithCleanSession(false))
	got := newSeenCounter()
	ctx := context.Background()
	require.NoError(t, subscribeReadings(ctx, sub, got.add))
	require.NoError(t, sub.Disconnect(ctx))

	pub := compatClient(t, b.other)
	ids := messageIDs("s", n)
	for _, id := range ids {
		require.NoError(t, publishReading(ctx, pub, id))
	}
	require.NoError(t, sub.Connect(ctx))
	deadline := time.Now().Add(10 * time.Second)
	for got.distinct.Load() < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	received, lost, duplicated, _ := got.report(ids)
	t.Logf("persistent session: %d published while away, %d received on reconnection, %d lost, %d duplicated", n, received, lost, duplicated)
	switch {
	case b.name == "mochi-mqtt" && (received == n || (lost == 1 && got.count(ids[n-1]) == 0)):
		// mochi v2.7.9 drops the last message queued for an offline
		// session in about one round of ten, with raw paho as well
		// (8 of 150 and 11 of 90 rounds measured): both outcomes are the
		// row the README gives it.
		return mochiSessions
	case received == n:
		return "yes"
	default:
		return fmt.Sprintf("no: %d of %d queued messages delivered", received, n)
	}
}

// mochiSessions is the embedded broker's persistent-session cell.
const mochiSessions = "mostly: the last message queued while away is lost in about 1 round of 10"

var compatSeq atomic.Int64

// compatClient connects a runtime client with a unique client ID (unless
// opts set one) to url, disconnected when the test ends.
func compatClient(t *testing.T, url string, opts ...mqttrt.Option) *mqttrt.Client {
	t.Helper()
	opts = append([]mqttrt.Option{
		mqttrt.WithBroker(url), mqttrt.WithClientID(fmt.Sprintf("compat-%d-%d", time.Now().UnixNano(), compatSeq.Add(1))),
		mqttrt.WithConnectTimeout(5 * time.Second), mqttrt.WithOperationTimeout(5 * time.Second),
		mqttrt.WithLogger(quietLogger(t)),
	}, opts...)
	c, err := mqttrt.New(opts...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, c.Connect(ctx))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c.Disconnect(ctx)
	})
	return c
}
