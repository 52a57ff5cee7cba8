package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mqttgen/mqttgen/generator"
)

// The fleet mode measures the size, generation time and compile time of
// generated code (issue 16) on fleetDoc, with no broker:
//
//	go run ./cmd/mqttbench -fleet 1000 -against ../old-checkout -rounds 3
//
// It generates fleetDoc(n) and fleetDoc(10n) in process (-rounds times
// each, median), counts the lines of the n-channel package, and times
// `go build` of that package; with -against, a checkout of another
// version of mqttgen generates the same document with its own CLI, and
// its output is built in the same run, the two builds alternating.

// fleetDoc is issue 16's synthetic document: n channels, each with two
// parameters and an object payload of seven properties (a string with
// length limits, a date-time, a bounded number, an integer, an enum, an
// array of strings and a nested object), and one operation per channel,
// alternately send and receive.
func fleetDoc(n int) []byte {
	var b strings.Builder
	b.WriteString("asyncapi: 3.0.0\ninfo:\n  title: Fleet\n  version: 1.0.0\ndefaultContentType: application/json\nchannels:\n")
	for i := range n {
		fmt.Fprintf(&b, "  c%d:\n    address: fleet/{site}/{deviceId}/s%d\n    description: Readings of sensor %d.\n", i, i, i)
		b.WriteString("    parameters:\n      site:\n        description: The site.\n      deviceId:\n        description: The device.\n")
		fmt.Fprintf(&b, "    messages:\n      m%d:\n        name: reading%d\n        payload:\n          $ref: '#/components/schemas/Reading%d'\n", i, i, i)
	}
	b.WriteString("operations:\n")
	for i := range n {
		action := "send"
		if i%2 == 1 {
			action = "receive"
		}
		fmt.Fprintf(&b, "  op%d:\n    action: %s\n    channel:\n      $ref: '#/channels/c%d'\n    bindings:\n      mqtt:\n        qos: %d\n", i, action, i, i%3)
	}
	b.WriteString("components:\n  schemas:\n")
	for i := range n {
		fmt.Fprintf(&b, "    Reading%d:\n      type: object\n      required: [id, at, value]\n      properties:\n", i)
		// Flow style keeps the 10,000-channel document under the loader's
		// 10 MiB limit on a file.
		b.WriteString("        id: {type: string, minLength: 1, maxLength: 64}\n")
		b.WriteString("        at: {type: string, format: date-time}\n")
		b.WriteString("        value: {type: number, minimum: -100, maximum: 100}\n")
		b.WriteString("        count: {type: integer}\n")
		b.WriteString("        unit: {type: string, enum: [metric, imperial]}\n")
		b.WriteString("        tags: {type: array, items: {type: string}}\n")
		b.WriteString("        location: {type: object, properties: {lat: {type: number}, lon: {type: number}}}\n")
	}
	return []byte(b.String())
}

// fleetConfig is the generator configuration of every fleet measurement.
func fleetConfig(doc []byte) generator.Config {
	return generator.Config{Spec: "fleet.yaml", Input: doc, Package: "fleet", Role: generator.RoleBoth}
}

// lineCount counts the lines of generated files.
func lineCount(files []generator.File) int {
	n := 0
	for _, f := range files {
		n += bytes.Count(f.Data, []byte("\n"))
	}
	return n
}

// fleetRun is the fleet mode.
func fleetRun(o options, out io.Writer) error {
	work, err := os.MkdirTemp("", "mqttbench-fleet")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	self, err := moduleRoot()
	if err != nil {
		return err
	}
	ctx := context.Background()

	// Generation, in process, n and 10n channels.
	gen := map[int][]time.Duration{}
	var files []generator.File
	for _, n := range []int{o.fleet, 10 * o.fleet} {
		doc := fleetDoc(n)
		for round := range o.rounds {
			dir := filepath.Join(work, fmt.Sprintf("gen-%d-%d", n, round))
			start := time.Now()
			res, err := generator.Generate(ctx, fleetConfig(doc))
			if err == nil {
				_, err = generator.Write(dir, res.Files)
			}
			gen[n] = append(gen[n], time.Since(start))
			if err != nil {
				return fmt.Errorf("generating %d channels: %w", n, err)
			}
			if n == o.fleet {
				files = res.Files
			}
			os.RemoveAll(dir)
		}
	}

	// The packages to build: this checkout's output, and the other
	// checkout's when -against is given.
	builds := []*fleetBuild{{name: "this checkout", checkout: self}}
	docPath := filepath.Join(work, "fleet.yaml")
	if err := os.WriteFile(docPath, fleetDoc(o.fleet), 0o644); err != nil {
		return err
	}
	if o.against != "" {
		builds = append(builds, &fleetBuild{name: "-against " + o.against, checkout: o.against})
	}
	for i, b := range builds {
		b.module = filepath.Join(work, fmt.Sprintf("module%d", i))
		b.cache = filepath.Join(work, fmt.Sprintf("cache%d", i))
		if err := b.prepare(docPath, files); err != nil {
			return fmt.Errorf("%s: %w", b.name, err)
		}
	}
	for round := range o.rounds {
		for _, b := range rotated(builds, round) {
			if err := b.timeBuild(round); err != nil {
				return fmt.Errorf("%s: %w", b.name, err)
			}
		}
	}
	printFleet(out, o, gen, builds)
	return nil
}

// fleetBuild is one generated fleet package in a module of its own.
type fleetBuild struct {
	name     string
	checkout string // the mqttgen checkout the module replaces the module with
	module   string
	cache    string // its own GOCACHE, warmed with its dependencies
	lines    int
	files    int
	times    []time.Duration
}

// prepare writes the module and the package (generated by this process
// for this checkout, by the checkout's own CLI otherwise), and builds it
// once so that only the package itself is compiled by timeBuild.
func (b *fleetBuild) prepare(docPath string, own []generator.File) error {
	pkg := filepath.Join(b.module, "fleet")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		return err
	}
	mod := fmt.Sprintf("module fleet.bench\n\ngo 1.26\n\nrequire github.com/mqttgen/mqttgen v0.0.0\n\nreplace github.com/mqttgen/mqttgen => %s\n", b.checkout)
	if err := os.WriteFile(filepath.Join(b.module, "go.mod"), []byte(mod), 0o644); err != nil {
		return err
	}
	if sum, err := os.ReadFile(filepath.Join(b.checkout, "go.sum")); err == nil {
		if err := os.WriteFile(filepath.Join(b.module, "go.sum"), sum, 0o644); err != nil {
			return err
		}
	}
	if own != nil && b.name == "this checkout" {
		if _, err := generator.Write(pkg, own); err != nil {
			return err
		}
	} else {
		// The other version's CLI, built from its checkout.
		if _, err := b.goCmd(b.checkout, "run", "./cmd/mqttgen", "generate", "-q", "-i", docPath, "-o", pkg, "-package", "fleet", "-role", "both"); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(pkg)
	if err != nil {
		return err
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(pkg, e.Name()))
		if err != nil {
			return err
		}
		b.files++
		b.lines += bytes.Count(data, []byte("\n"))
	}
	_, err = b.goCmd(b.module, "build", "./fleet")
	return err
}

// timeBuild changes the package (a comment, so that its cache entry
// misses and nothing else's does) and times go build of it.
func (b *fleetBuild) timeBuild(round int) error {
	f, err := os.OpenFile(filepath.Join(b.module, "fleet", "zz_round.go"), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(f, "package fleet\n\n// round %d of %s\n", round, time.Now().Format(time.RFC3339Nano))
	if err := f.Close(); err != nil {
		return err
	}
	start := time.Now()
	if _, err := b.goCmd(b.module, "build", "./fleet"); err != nil {
		return err
	}
	b.times = append(b.times, time.Since(start))
	return nil
}

// goCmd runs go in dir with the build's own cache; the module graph may
// be completed from the local module cache (-mod=mod), never the network.
func (b *fleetBuild) goCmd(dir string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOCACHE="+b.cache, "GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out, nil
}

// moduleRoot is the directory of this checkout's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/mqttgen/mqttgen").Output()
	if err != nil {
		return "", fmt.Errorf("finding the mqttgen checkout (run mqttbench from it): %w", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", errors.New("finding the mqttgen checkout: go list printed nothing")
	}
	return dir, nil
}

// medianSeconds is the median of ds in seconds.
func medianSeconds(ds []time.Duration) float64 {
	xs := make([]float64, len(ds))
	for i, d := range ds {
		xs[i] = d.Seconds()
	}
	return median(xs)
}

// printFleet prints the figures and issue 16's targets.
func printFleet(w io.Writer, o options, gen map[int][]time.Duration, builds []*fleetBuild) {
	n := o.fleet
	cur := builds[0]
	perChannel := float64(cur.lines) / float64(n)
	fmt.Fprintf(w, "\nfleet document, %d channels, -role both (%d rounds, medians):\n", n, o.rounds)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "package\tfiles\tlines\tlines/channel\tgo build\tbuilds")
	for _, b := range builds {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.2fs\t%s\n", b.name, b.files, b.lines, float64(b.lines)/float64(n), medianSeconds(b.times), seconds(b.times))
	}
	tw.Flush()
	g1, g10 := medianSeconds(gen[n]), medianSeconds(gen[10*n])
	fmt.Fprintf(w, "generation (in process, load to files on disk): %d channels %.3fs %s; %d channels %.3fs %s; ratio %.1fx\n",
		n, g1, seconds(gen[n]), 10*n, g10, seconds(gen[10*n]), g10/g1)
	fmt.Fprintf(w, "target: at most 120 lines per channel: %.1f %s\n", perChannel, metOrMissed(perChannel <= 120))
	if n == 1000 {
		fmt.Fprintf(w, "target: generation of 1,000 channels at most 1 s: %.3fs %s\n", g1, metOrMissed(g1 <= 1))
	}
	fmt.Fprintf(w, "target: 10x the channels at most 12x the time: %.1fx %s\n", g10/g1, metOrMissed(g10 <= 12*g1))
	if len(builds) > 1 {
		ratio := medianSeconds(cur.times) / medianSeconds(builds[1].times)
		fmt.Fprintf(w, "target: go build at most 25%% of the other checkout's: %.1f%% %s\n", 100*ratio, metOrMissed(ratio <= 0.25))
	}
}

func seconds(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.2f", d.Seconds())
	}
	return "(" + strings.Join(parts, " ") + ")"
}

func metOrMissed(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
