package runtime

import (
	"bufio"
	"net"
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
type bufferedConn struct {
	net.Conn
	in *bufio.Reader
}

func newBufferedConn(conn net.Conn) *bufferedConn {
	return &bufferedConn{Conn: conn, in: bufio.NewReaderSize(conn, readBufferSize)}
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.in.Read(b) }
