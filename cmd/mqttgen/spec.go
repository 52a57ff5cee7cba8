package main

import (
	"fmt"
	"io"

	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
)

// loadSpecArg loads a document from a path, or from stdin for "-".
func loadSpecArg(spec string, stdin io.Reader) (*model.Document, error) {
	if spec != "-" {
		return loader.Load(spec)
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxStdin+1))
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(data) > maxStdin {
		return nil, fmt.Errorf("stdin holds more than %d bytes: %w", maxStdin, loader.ErrLimit)
	}
	return loader.LoadBytes("<stdin>", data)
}
