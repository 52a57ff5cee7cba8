package templates_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqttgen/mqttgen/templates"
)

// TestFastPathsOfAgrees: NewSpec's one-walk decision of a message's fast
// paths is what HasFastCheck and HasFastDecode decide, for every message
// of the corpus and of the per-rule cases.
func TestFastPathsOfAgrees(t *testing.T) {
	var paths []string
	for _, c := range typeCases(t) {
		paths = append(paths, filepath.Join(typesDir, c+".yaml"))
	}
	if manifest, err := os.Open(filepath.Join(corpusDir, "MANIFEST.tsv")); err == nil {
		sc := bufio.NewScanner(manifest)
		for i := 0; sc.Scan(); i++ {
			if path := strings.Split(sc.Text(), "\t")[0]; i > 0 && path != "" {
				paths = append(paths, filepath.Join(corpusDir, path))
			}
		}
		manifest.Close()
	}
	compared, check, decode := 0, 0, 0
	for _, path := range paths {
		doc, err := loadNamed(path)
		if err != nil {
			continue
		}
		for _, m := range doc.Messages {
			gotCheck, gotDecode := templates.FastPathsOf(m)
			if wantCheck, wantDecode := templates.HasFastCheck(m), templates.HasFastDecode(m); gotCheck != wantCheck || gotDecode != wantDecode {
				t.Errorf("%s: message %s: fastPathsOf = %v, %v; HasFastCheck, HasFastDecode = %v, %v", path, m.Key, gotCheck, gotDecode, wantCheck, wantDecode)
			}
			compared++
			if gotCheck {
				check++
			}
			if gotDecode {
				decode++
			}
		}
	}
	t.Logf("%d messages: %d with a fast check, %d with a fast codec", compared, check, decode)
	if check == 0 || decode == 0 {
		t.Error("the messages compared exercise only one of the fast paths")
	}
}
