// Package mqtttest starts MQTT brokers and fault-injecting TCP proxies for
// tests, in the spirit of net/http/httptest.
//
// NewBroker starts a broker on a free loopback port for one test and stops
// it when the test ends:
//
//	b := mqtttest.NewBroker(t)                       // plain, anonymous
//	b := mqtttest.NewBroker(t, mqtttest.WithTLS())   // ssl://, CA made in the test
//	b := mqtttest.NewBroker(t,
//		mqtttest.WithUser("alice", "secret"),
//		mqtttest.WithACL("user alice\ntopic readwrite sensors/#"),
//		mqtttest.WithPersistence())
//
// It runs the mosquitto binary when it is on PATH (the configuration,
// certificates, password file, ACL, database and log live in the test's
// temporary directory) and otherwise an embedded mochi-mqtt broker, which
// WithEmbedded also forces. The embedded broker honours users, ACLs, TLS
// and persistence (in memory); a test that needs raw Mosquitto
// configuration (WithConfig) is skipped when only the embedded broker is
// available. Stop, Kill and Start restart the broker on the same port, so
// clients can reconnect to the same URL. When a test fails, the last lines
// of the broker's log are printed.
//
// NewNATSCluster starts nats-server nodes with JetStream and MQTT on
// every node, clustered, so that a client given all their URLs can lose
// its node (NATSNode.Kill) and find its session on another. NewRabbitMQ
// starts a private RabbitMQ node with its MQTT plugin (its own ports,
// epmd, database and Erlang cookie; a system RabbitMQ is not touched). A
// test that needs a broker that is not installed is skipped with the
// reason. What each broker supports is in the README's broker
// compatibility table.
//
// NewProxy puts a TCP proxy in front of a broker: Drop resets every
// connection, Stall silently stops all traffic (only keep-alive notices),
// Resume lets it flow again, and RefuseNew turns new connections away.
//
// Certificates for negative TLS tests (expired, wrong host, signed by
// another CA) come from NewCA and CA.MakeCert, or from Broker.CA for
// certificates the broker trusts.
//
// Every wait in this package is bounded, and nothing it starts outlives
// the test.
package mqtttest
