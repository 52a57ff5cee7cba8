package mqtttest

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// proxyDialTimeout bounds the proxy's connection to its target.
const proxyDialTimeout = 5 * time.Second

// Proxy is a TCP proxy on a free loopback port that forwards to a broker
// and cuts, stalls or refuses connections on demand, so tests can break a
// client's link for real. It is transparent to TLS: point it at an ssl://
// broker and connect through it with ssl://. It is closed when the test
// ends, leaving no goroutine behind.
type Proxy struct {
	t      testing.TB
	ln     net.Listener
	target string // host:port
	scheme string
	wg     sync.WaitGroup

	mu      sync.Mutex
	conns   map[*proxyConn]struct{}
	flowing chan struct{} // closed while traffic flows, open while stalled
	refuse  bool
	closed  bool
}

// proxyConn is one client connection and its link to the target.
type proxyConn struct {
	done     chan struct{} // closed when the pair is torn down
	mu       sync.Mutex
	client   net.Conn
	upstream net.Conn // nil until dialled
	closed   bool
}

// NewProxy starts a proxy to target, given as host:port or as a broker URL
// (tcp://, ssl://, mqtt://, mqtts://, tls://, ws://, wss://; the scheme
// is kept for URL). It is closed by t.Cleanup.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	scheme, hostport, err := splitTarget(target)
	if err != nil {
		t.Fatalf("mqtttest: NewProxy: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mqtttest: NewProxy: listen: %v", err)
	}
	flowing := make(chan struct{})
	close(flowing)
	p := &Proxy{t: t, ln: ln, target: hostport, scheme: scheme, conns: map[*proxyConn]struct{}{}, flowing: flowing}
	p.wg.Add(1)
	go p.acceptLoop()
	t.Cleanup(p.Close)
	return p
}

func splitTarget(target string) (scheme, hostport string, err error) {
	if !strings.Contains(target, "://") {
		if _, _, err := net.SplitHostPort(target); err != nil {
			return "", "", fmt.Errorf("target %q: %w", target, err)
		}
		return "tcp", target, nil
	}
	u, err := url.Parse(target)
	if err != nil {
		return "", "", fmt.Errorf("target %q: %w", target, err)
	}
	if u.Port() == "" {
		return "", "", fmt.Errorf("target %q has no port", target)
	}
	return u.Scheme, u.Host, nil
}

// URL returns the proxy's address with the target's scheme, e.g.
// tcp://127.0.0.1:PORT.
func (p *Proxy) URL() string { return p.scheme + "://" + p.Addr() }

// Addr returns the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Connections returns the number of client connections the proxy holds
// open, including stalled ones whose client has given up.
func (p *Proxy) Connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Drop resets every current connection (TCP RST on both sides: the client
// and the broker see the link die at once, without an MQTT DISCONNECT).
// New connections are still accepted.
func (p *Proxy) Drop() {
	for _, c := range p.snapshot() {
		p.closeConn(c, true)
	}
}

// Stall stops forwarding bytes in both directions without closing any
// socket, as a dead network path would: no FIN, no RST, no error. It
// applies to new connections too (they are accepted but not connected to
// the target). Only keep-alive timeouts reveal it.
func (p *Proxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.flowing:
		p.flowing = make(chan struct{})
	default: // already stalled
	}
}

// Resume forwards traffic again. Bytes sent during the stall are not lost:
// they were left in socket buffers and are delivered now, in order, like
// a late TCP retransmission. A client that gave up meanwhile has closed
// its socket, which the proxy then passes on to the broker.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.flowing:
	default:
		close(p.flowing)
	}
}

// RefuseNew makes the proxy reset new connections as soon as they are
// accepted (true), or accept them again (false). Current connections are
// untouched. The client sees a connection reset before CONNACK.
func (p *Proxy) RefuseNew(refuse bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuse = refuse
}

// Close stops the proxy: the listener closes, every connection is reset,
// and Close waits (bounded) for all its goroutines. It may be called more
// than once.
func (p *Proxy) Close() {
	p.mu.Lock()
	already := p.closed
	p.closed = true
	p.mu.Unlock()
	if already {
		return
	}
	_ = p.ln.Close()
	p.Drop()
	if err := waitGroupTimeout(&p.wg, stopTimeout); err != nil {
		p.t.Errorf("mqtttest: proxy goroutines still running after close: %v", err)
	}
}

func (p *Proxy) snapshot() []*proxyConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	cs := make([]*proxyConn, 0, len(p.conns))
	for c := range p.conns {
		cs = append(cs, c)
	}
	return cs
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return // the listener was closed
		}
		p.mu.Lock()
		if p.closed || p.refuse {
			p.mu.Unlock()
			reset(conn)
			continue
		}
		c := &proxyConn{client: conn, done: make(chan struct{})}
		p.conns[c] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(c)
	}
}

// serve connects c to the target and forwards both ways until either side
// closes or the proxy tears the pair down.
func (p *Proxy) serve(c *proxyConn) {
	defer p.wg.Done()
	// A stalled network does not even complete the connection upstream.
	if !p.waitFlowing(c) {
		return
	}
	up, err := net.DialTimeout("tcp", p.target, proxyDialTimeout)
	if err != nil {
		p.closeConn(c, true)
		return
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		reset(up)
		return
	}
	c.upstream = up
	c.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.pipe(c, up, c.client)
	}()
	p.pipe(c, c.client, up)
}

// pipe copies src to dst, holding each chunk while the proxy is stalled.
func (p *Proxy) pipe(c *proxyConn, src, dst net.Conn) {
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.waitFlowing(c) {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				p.closeConn(c, false)
				return
			}
		}
		if err != nil {
			p.closeConn(c, false)
			return
		}
	}
}

// waitFlowing blocks while the proxy is stalled; false means the
// connection was torn down meanwhile.
func (p *Proxy) waitFlowing(c *proxyConn) bool {
	for {
		p.mu.Lock()
		flowing := p.flowing
		p.mu.Unlock()
		select {
		case <-c.done:
			return false
		case <-flowing:
			// Stall may have run between reading p.flowing and now;
			// re-check so no chunk slips through a fresh stall.
			p.mu.Lock()
			still := p.flowing == flowing
			p.mu.Unlock()
			if still {
				return true
			}
		}
	}
}

// closeConn tears the pair down once: with rst, both sockets are reset;
// otherwise closed normally (a FIN passes the other side's close on).
func (p *Proxy) closeConn(c *proxyConn, rst bool) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	close(c.done)
	conns := []net.Conn{c.client, c.upstream}
	c.mu.Unlock()
	for _, conn := range conns {
		if conn == nil {
			continue
		}
		if rst {
			reset(conn)
		} else {
			_ = conn.Close()
		}
	}
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// reset closes conn with SO_LINGER 0, so the peer gets a TCP RST instead of
// an orderly FIN.
func reset(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
