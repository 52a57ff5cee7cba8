package runtime

import "errors"

// Sentinel errors. Every error the runtime returns wraps one of these
// together with its cause, so both errors.Is and the message are useful.
var (
	ErrNotConnected      = errors.New("mqtt: not connected")
	ErrAlreadyConnected  = errors.New("mqtt: already connected")
	ErrConnectionFailed  = errors.New("mqtt: connection failed")
	ErrPublishFailed     = errors.New("mqtt: publish failed")
	ErrSubscribeFailed   = errors.New("mqtt: subscribe failed")
	ErrUnsubscribeFailed = errors.New("mqtt: unsubscribe failed")
	ErrInvalidQoS        = errors.New("mqtt: invalid qos")
	ErrInvalidTopic      = errors.New("mqtt: invalid topic")
	ErrTimeout           = errors.New("mqtt: timeout")
	ErrInvalidConfig     = errors.New("mqtt: invalid config")
	ErrValidation        = errors.New("mqtt: payload does not match its schema")
	ErrDecode            = errors.New("mqtt: payload cannot be decoded")
	ErrPayloadTooLarge   = errors.New("mqtt: payload too large")
	// ErrStoreFailed: the file message store could not write or remove a
	// message (the directory is gone, the disk is full). QoS 1/2 publishes
	// are refused with it, wrapped in ErrPublishFailed, until the store can
	// be written again; the async error handler is told when it starts.
	ErrStoreFailed = errors.New("mqtt: message store failed")
	// ErrLoginRefused: the broker refused the user name and password, or
	// the client is not authorised (CONNACK 4 or 5). It comes wrapped in
	// ErrConnectionFailed, from Connect or Reconnect, and, for the first
	// refusal of an automatic reconnection, to the async error handler.
	ErrLoginRefused = errors.New("mqtt: login refused")
)
