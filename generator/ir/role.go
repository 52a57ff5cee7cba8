package ir

import (
	"errors"
	"fmt"
)

// Role says which side of the document the generated package plays.
type Role int

const (
	// RoleApp is the application the document describes: it publishes its
	// send operations and subscribes to its receive operations.
	RoleApp Role = iota
	// RoleClient is the app's counterpart, with send and receive swapped.
	RoleClient
	// RoleBoth gives every operation both a Publish and a Subscribe method.
	RoleBoth
)

// Roles lists every role, in flag order.
var Roles = []Role{RoleApp, RoleClient, RoleBoth}

// ErrRole is wrapped by ParseRole's error.
var ErrRole = errors.New("unknown role")

// String is the role's flag value.
func (r Role) String() string {
	switch r {
	case RoleApp:
		return "app"
	case RoleClient:
		return "client"
	case RoleBoth:
		return "both"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// ParseRole reads a -role flag value: app, client or both.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if r.String() == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("role %q: want app, client or both: %w", s, ErrRole)
}

// sides reports whether the role publishes and subscribes to a send or
// receive operation of the described application.
func (r Role) sides(send bool) (publish, subscribe bool) {
	switch r {
	case RoleBoth:
		return true, true
	case RoleClient:
		send = !send
	}
	return send, !send
}
