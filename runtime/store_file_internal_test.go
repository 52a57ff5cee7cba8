package runtime

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func storePublish(id uint16, topic string) *packets.PublishPacket {
	p := packets.NewControlPacket(packets.Publish).(*packets.PublishPacket)
	p.MessageID, p.Qos, p.TopicName, p.Payload = id, 1, topic, []byte(topic)
	return p
}

func storedNames(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	sort.Strings(names)
	return names
}

// A directory written by paho's FileStore (an earlier process, or an earlier
// version of the runtime) is read in the order it was written; a file that
// holds no packet is set aside, not fatal.
func TestFileStoreReadsWhatAnEarlierProcessLeft(t *testing.T) {
	dir := t.TempDir()
	old := mqttclient.NewFileStore(dir)
	old.Open()
	base := time.Now().Add(-time.Hour)
	for i, key := range []string{"o.3", "o.1", "o.2"} {
		old.Put(key, storePublish(uint16(i+1), key))
		path := filepath.Join(dir, key+storedExt)
		require.NoError(t, os.Chtimes(path, base, base.Add(time.Duration(i)*time.Second)))
	}
	old.Close()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "o.9"+storedExt), []byte{0xff}, 0o600))

	s, err := openFileStore(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"o.3", "o.1", "o.2"}, s.All())
	assert.Equal(t, "o.1", s.Get("o.1").(*packets.PublishPacket).TopicName)
	assert.Nil(t, s.Get("o.9"))
	assert.Equal(t, []string{"o.1.msg", "o.2.msg", "o.3.msg", "o.9.CORRUPT"}, storedNames(t, dir))
}

// A write or removal the disk refuses is reported once, keeps the packet in
// memory, and makes the store refuse publishes until the whole store has
// been written again, which then happens on the next operation.
func TestFileStoreWritesItselfAgainAfterAFailure(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "client-x")
	s, err := openFileStore(dir)
	require.NoError(t, err)
	type report struct {
		topic   string
		err     error
		failing bool
	}
	var reports []report
	s.report = func(topic string, err error, failing bool) { reports = append(reports, report{topic, err, failing}) }

	s.Put("o.1", storePublish(1, "a"))
	require.NoError(t, os.RemoveAll(dir))
	s.Put("o.2", storePublish(2, "b")) // the directory is gone
	require.Len(t, reports, 1)
	assert.Equal(t, "b", reports[0].topic)
	assert.True(t, reports[0].failing)
	assert.ErrorIs(t, reports[0].err, ErrStoreFailed)
	assert.ErrorIs(t, reports[0].err, os.ErrNotExist)
	assert.Equal(t, "b", s.Get("o.2").(*packets.PublishPacket).TopicName, "kept in memory")

	require.NoError(t, s.usable()) // makes the directory again, writes both
	require.Len(t, reports, 2)
	assert.NoError(t, reports[1].err, "the return to sync is reported")
	assert.Equal(t, []string{"o.1.msg", "o.2.msg"}, storedNames(t, dir))

	// A file in the directory's place: nothing can be written.
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, os.WriteFile(dir, nil, 0o600))
	s.Del("o.1")
	require.Len(t, reports, 3)
	assert.True(t, reports[2].failing)
	err = s.usable()
	assert.ErrorIs(t, err, ErrStoreFailed)
	assert.Contains(t, err.Error(), "could not be kept")
	assert.Len(t, reports, 4)
	assert.False(t, reports[3].failing, "a spell of failures starts once")
	assert.Equal(t, []string{"o.2"}, s.All())

	require.NoError(t, os.Remove(dir))
	require.NoError(t, os.MkdirAll(dir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "o.1"+writingExt), nil, 0o600)) // left by a failed write
	require.NoError(t, os.WriteFile(filepath.Join(dir, "o.1"+storedExt), nil, 0o600))  // removed meanwhile
	s.Open()
	assert.NoError(t, reports[len(reports)-1].err)
	assert.Equal(t, []string{"o.2.msg"}, storedNames(t, dir))
	assert.NoError(t, s.usable())

	s.Reset()
	assert.Empty(t, storedNames(t, dir))
	assert.Empty(t, s.All())
}
