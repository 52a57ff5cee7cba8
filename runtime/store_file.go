package runtime

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// File names in a store directory, as paho's FileStore names them (so a
// directory written by either can be read by the other): <key>.msg holds
// one packet, <key>.tmp is one being written, <key>.CORRUPT one that could
// not be read.
const (
	storedExt  = ".msg"
	writingExt = ".tmp"
	corruptExt = ".CORRUPT"
)

// fileStore is the message store of MessageStore "file". It replaces
// paho's FileStore, which panics on any I/O error (the directory removed,
// the disk full) in whichever goroutine touched it: a publisher, or paho's
// reader, which takes the whole process down.
//
// The packets are kept in memory, which is what paho reads while the
// process runs, and written through to the directory, which is what the
// next process reads (openFileStore). A write or removal the disk refuses
// leaves the store unsynced and is reported (the report hook): the packet
// is still held in memory and its flow goes on, so nothing paho already
// sent is lost, but it would not survive a crash. While unsynced, every
// operation first tries to write the whole store again (resync, which
// makes the directory again if it is gone), and a new QoS 1/2 publish is
// refused (usable) until that succeeds: a publish is stored or refused,
// never silently without its crash safety. Like paho's FileStore it does
// not fsync: the files survive the process, not a power loss.
type fileStore struct {
	dir string
	// report is told of a failed disk operation (failing: the first since
	// the store was last in sync) and of the return to sync (err nil). It
	// is set before paho first uses the store and called without mu held.
	report func(topic string, err error, failing bool)

	mu      sync.Mutex
	entries map[string]storedPacket
	next    uint64 // order of Puts, for All
	synced  bool   // the directory holds exactly entries
	cause   error  // why not synced
}

// storedPacket is one packet of the store, encoded when it was put (paho's
// writer encodes the same packet value later, and encoding writes to it),
// and when it was put.
type storedPacket struct {
	p    packets.ControlPacket
	data []byte
	seq  uint64
}

// storeEvent is a report to deliver once mu is released.
type storeEvent struct {
	topic   string
	err     error
	failing bool
	due     bool
}

// newStore makes the paho store that keeps unacknowledged QoS 1/2 messages.
// A file store lives in StoreDirectory/<client ID> so that two clients
// sharing a directory never resend each other's messages.
func newStore(cfg Config) (mqttclient.Store, error) {
	if cfg.MessageStore == StoreMemory {
		return mqttclient.NewMemoryStore(), nil
	}
	return openFileStore(filepath.Join(cfg.StoreDirectory, storeDirName(cfg.ClientID)))
}

// openFileStore makes the directory if needed, checks that it is writable
// and reads the packets an earlier process left there, oldest first.
func openFileStore(dir string) (*fileStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("%w: StoreDirectory: %w", ErrInvalidConfig, err)
	}
	probe, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return nil, fmt.Errorf("%w: StoreDirectory: not writable: %w", ErrInvalidConfig, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	s := &fileStore{dir: dir, entries: map[string]storedPacket{}, synced: true}
	files, err := storedFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: StoreDirectory: %w", ErrInvalidConfig, err)
	}
	for _, f := range files {
		data, p, err := readPacket(filepath.Join(dir, f.Name()))
		if err != nil {
			// An unreadable packet cannot be resent; it is kept aside, as
			// paho's FileStore does, rather than stop the client.
			key := strings.TrimSuffix(f.Name(), storedExt)
			if rerr := os.Rename(filepath.Join(dir, f.Name()), filepath.Join(dir, key+corruptExt)); rerr != nil {
				return nil, fmt.Errorf("%w: StoreDirectory: %s unreadable (%w) and cannot be set aside: %w", ErrInvalidConfig, f.Name(), err, rerr)
			}
			continue
		}
		s.putLocked(strings.TrimSuffix(f.Name(), storedExt), p, data)
	}
	return s, nil
}

// storedFiles lists the packet files of dir, oldest first (the order paho's
// FileStore resumes in).
func storedFiles(dir string) ([]fs.FileInfo, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []fs.FileInfo
	for _, de := range des {
		if !strings.HasSuffix(de.Name(), storedExt) || !de.Type().IsRegular() {
			continue
		}
		info, err := de.Info()
		if err != nil {
			return nil, err
		}
		files = append(files, info)
	}
	slices.SortStableFunc(files, func(a, b fs.FileInfo) int { return a.ModTime().Compare(b.ModTime()) })
	return files, nil
}

func readPacket(path string) ([]byte, packets.ControlPacket, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	p, err := packets.ReadPacket(bytes.NewReader(data))
	return data, p, err
}

// Open is called by paho on every connect: a good moment to catch up.
func (s *fileStore) Open() {
	s.mu.Lock()
	ev := s.syncLocked()
	s.mu.Unlock()
	s.deliver(ev)
}

// Close does nothing: the packets stay, for the next connection.
func (s *fileStore) Close() {}

// Put stores m under key, in memory and on disk.
func (s *fileStore) Put(key string, m packets.ControlPacket) {
	var buf bytes.Buffer
	_ = m.Write(&buf) // a bytes.Buffer takes every write
	s.mu.Lock()
	s.putLocked(key, m, buf.Bytes())
	ev := s.persist(topicOf(m), "write "+key, func() error { return writePacket(s.dir, key, buf.Bytes()) })
	s.mu.Unlock()
	s.deliver(ev)
}

func (s *fileStore) putLocked(key string, m packets.ControlPacket, data []byte) {
	s.next++
	s.entries[key] = storedPacket{p: m, data: data, seq: s.next}
}

// Get returns the packet stored under key, or nil.
func (s *fileStore) Get(key string) packets.ControlPacket {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.entries[key].p
}

// All returns the keys in the order they were put, so a resumed session
// resends in the order of the original publishes [MQTT-4.6.0-1].
func (s *fileStore) All() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keysLocked()
}

func (s *fileStore) keysLocked() []string {
	keys := make([]string, 0, len(s.entries))
	for k := range s.entries {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(s.entries[a].seq, s.entries[b].seq) })
	return keys
}

// Del removes the packet stored under key.
func (s *fileStore) Del(key string) {
	s.mu.Lock()
	topic := topicOf(s.entries[key].p)
	delete(s.entries, key)
	ev := s.persist(topic, "remove "+key, func() error { return removeFile(filepath.Join(s.dir, key+storedExt)) })
	s.mu.Unlock()
	s.deliver(ev)
}

// Reset removes every packet.
func (s *fileStore) Reset() {
	s.mu.Lock()
	clear(s.entries)
	ev := s.persist("", "reset", func() error { return removeStale(s.dir, s.entries) })
	s.mu.Unlock()
	s.deliver(ev)
}

// usable reports, for a QoS 1/2 publish about to be made, whether the
// store can keep it: nil when in sync or brought back in sync now.
func (s *fileStore) usable() error {
	s.mu.Lock()
	ev := s.syncLocked()
	cause := s.cause
	s.mu.Unlock()
	s.deliver(ev)
	if cause != nil {
		return fmt.Errorf("%w: the message could not be kept for a resend: %w", ErrStoreFailed, cause)
	}
	return nil
}

// persist applies one change to the directory; mu held. When the store is
// not in sync, the whole store is written again instead.
func (s *fileStore) persist(topic, what string, op func() error) storeEvent {
	if !s.synced {
		return s.syncLocked()
	}
	if err := op(); err != nil {
		s.synced = false
		s.cause = fmt.Errorf("%s in %s: %w", what, s.dir, err)
		return storeEvent{topic: topic, err: fmt.Errorf("%w: %w", ErrStoreFailed, s.cause), failing: true, due: true}
	}
	return storeEvent{}
}

// syncLocked writes the whole store to the directory when it is not in
// sync; mu held. The memory holds at most the publish window and the
// broker's window of received messages, so this is a few files.
func (s *fileStore) syncLocked() storeEvent {
	if s.synced {
		return storeEvent{}
	}
	if err := s.resync(); err != nil {
		s.cause = fmt.Errorf("rewrite %s: %w", s.dir, err)
		return storeEvent{err: fmt.Errorf("%w: %w", ErrStoreFailed, s.cause), due: true}
	}
	s.synced, s.cause = true, nil
	return storeEvent{due: true}
}

func (s *fileStore) resync() error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	if err := removeStale(s.dir, s.entries); err != nil {
		return err
	}
	for _, key := range s.keysLocked() {
		if err := writePacket(s.dir, key, s.entries[key].data); err != nil {
			return err
		}
	}
	return nil
}

// deliver passes a report on, without mu held.
func (s *fileStore) deliver(ev storeEvent) {
	if ev.due && s.report != nil {
		s.report(ev.topic, ev.err, ev.failing)
	}
}

// storeReport counts the file store's failed disk operations and reports
// the first of each spell to the log and the async error handler; err nil
// is the return to sync. The handler runs on its own goroutine: the store
// reports from paho's reader and from under the QoS 2 guard's lock.
func (c *Client) storeReport(topic string, err error, failing bool) {
	if err == nil {
		c.log.Info("mqtt: message store written again", "client_id", c.cfg.ClientID)
		return
	}
	c.stats.storeErrors.Add(1)
	if failing {
		c.log.Warn("mqtt: message store failed; QoS 1/2 publishes are refused until it can be written again",
			"client_id", c.cfg.ClientID, "err", err)
		go c.asyncErr(topic, err)
	}
}

// writePacket writes an encoded packet to dir/<key>.msg through a temporary
// file, so a crash leaves either the old file or the new one.
func writePacket(dir, key string, data []byte) error {
	tmp := filepath.Join(dir, key+writingExt)
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		os.Remove(tmp) // a partial file on a full disk
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, key+storedExt))
}

// removeStale removes the packet files of dir that keep is without, and
// any temporary file left by a failed write.
func removeStale(dir string, keep map[string]storedPacket) error {
	des, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, de := range des {
		name := de.Name()
		key, stored := strings.CutSuffix(name, storedExt)
		_, kept := keep[key]
		if (stored && !kept) || strings.HasSuffix(name, writingExt) {
			if err := removeFile(filepath.Join(dir, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeFile removes path; a file already gone is removed.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// topicOf is the topic of a PUBLISH, for reports; "" for other packets.
func topicOf(p packets.ControlPacket) string {
	if pub, ok := p.(*packets.PublishPacket); ok {
		return pub.TopicName
	}
	return ""
}

// storeDirName turns a client ID (any UTF-8) into one safe path element:
// bytes outside [A-Za-z0-9_-] become %XX, so distinct IDs stay distinct.
func storeDirName(clientID string) string {
	var b strings.Builder
	b.WriteString("client-") // never "", "." or ".."
	for i := 0; i < len(clientID); i++ {
		ch := clientID[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', ch == '-', ch == '_':
			b.WriteByte(ch)
		default:
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}
