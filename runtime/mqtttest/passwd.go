package mqtttest

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// passwdTool is the program that hashes passwords for Mosquitto; tests
// clear it to exercise the built-in hashing.
var passwdTool = "mosquitto_passwd"

// writePasswordFile writes a Mosquitto password file for users, with
// mosquitto_passwd when installed and otherwise with mosquittoHash.
func writePasswordFile(path string, users []login) error {
	for _, u := range users {
		if u.name == "" || strings.ContainsAny(u.name, ":\n") || strings.Contains(u.password, "\n") {
			return fmt.Errorf("user %q: a Mosquitto user name must be non-empty without ':' or newlines, a password without newlines", u.name)
		}
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		return fmt.Errorf("write password file: %w", err)
	}
	if tool, err := exec.LookPath(passwdTool); passwdTool != "" && err == nil {
		for _, u := range users {
			out, err := exec.Command(tool, "-b", path, u.name, u.password).CombinedOutput()
			if err != nil {
				return fmt.Errorf("%s -b for %q: %w: %s", tool, u.name, err, out)
			}
		}
		return nil
	}
	var b strings.Builder
	for _, u := range users {
		salt := make([]byte, 12)
		_, _ = rand.Read(salt) // crypto/rand.Read never fails
		h, err := mosquittoHash(u.password, salt)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s:%s\n", u.name, h)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("write password file: %w", err)
	}
	return nil
}

// mosquittoHashIterations is the PBKDF2 round count mosquitto_passwd 2.0
// uses by default.
const mosquittoHashIterations = 101

// mosquittoHash renders a password the way Mosquitto 2.0 stores it:
// "$7$ITERATIONS$base64(salt)$base64(PBKDF2-HMAC-SHA512(password, salt))".
func mosquittoHash(password string, salt []byte) (string, error) {
	key, err := pbkdf2.Key(sha512.New, password, salt, mosquittoHashIterations, sha512.Size)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	enc := base64.StdEncoding
	return fmt.Sprintf("$7$%d$%s$%s", mosquittoHashIterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}
