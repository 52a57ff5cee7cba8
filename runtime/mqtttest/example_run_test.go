package mqtttest_test

import "testing"

// TestExampleGreeter runs the package example, so it cannot rot.
func TestExampleGreeter(t *testing.T) { greeterTest(t) }

// TestExampleNATSSession runs ExampleNewNATSCluster's test.
func TestExampleNATSSession(t *testing.T) { natsSessionTest(t) }
