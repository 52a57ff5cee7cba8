package runtime

import (
	"bufio"
	"net"
	"sync/atomic"
)

// readBufferSize holds many small packets: one read from the socket then
// serves them all.
const readBufferSize = 16 << 10

// bufferedConn buffers what paho reads from the broker. Paho reads each
// packet in at least three calls (its first byte, its length a byte at a
// time, then the rest), each a system call on a bare connection, which on
// a busy subscriber was close to half its CPU. Only paho's one reading
// goroutine calls Read (the CONNACK is read before it starts, from the
// same buffer), so the reader needs no lock. A read asks the connection
// only for what the buffer lacks and returns what has arrived, so no
// packet waits for more data.
//
// Once the connection is closed, what is left in the buffer is dropped, as
// the socket drops what it holds unread: paho closes the connection when
// it takes it for lost, and packets of the old connection handed over
// after that would race the new connection's (a QoS 2 PUBREL read late
// ends the exactly-once window of a message the new connection then
// delivers again; TestFaultBrokerRestartMidStream).
type bufferedConn struct {
	net.Conn
	in     *bufio.Reader
	closed atomic.Bool
}

func newBufferedConn(conn net.Conn) *bufferedConn {
	return &bufferedConn{Conn: conn, in: bufio.NewReaderSize(conn, readBufferSize)}
}

func (c *bufferedConn) Read(b []byte) (int, error) {
	if c.closed.Load() {
		return 0, net.ErrClosed
	}
	return c.in.Read(b)
}

func (c *bufferedConn) Close() error {
	c.closed.Store(true)
	return c.Conn.Close()
}
