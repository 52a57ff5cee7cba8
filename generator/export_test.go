package generator

// SetPartSize makes files of at most n channels, operations or types for
// the rest of a test (so that a small document is written in parts).
func SetPartSize(n int) (restore func()) {
	old := partSize
	partSize = n
	return func() { partSize = old }
}
