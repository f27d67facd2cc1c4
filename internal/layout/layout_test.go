// Package layout holds the test that keeps roomwatch's imports pointing
// one way: config → tailer → rules → batch → sender → pipeline → service
// → cmd.
package layout

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/roomwatch/roomwatch"

// order is the package graph: a package may import only packages of an
// earlier layer, or of its own (sender/slack imports sender).
var order = []string{"config", "tailer", "rules", "batch", "sender", "pipeline", "service", "cmd"}

// layer returns the index in order of a package path relative to the
// module, or -1 for packages outside the graph (internal test helpers,
// bench).
func layer(rel string) int {
	top, _, _ := strings.Cut(rel, "/")
	for i, name := range order {
		if top == name {
			return i
		}
	}
	return -1
}

func TestImportsPointOneWay(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module+"/")
		from := layer(pkg)
		for _, imp := range fields[1:] {
			rel, ours := strings.CutPrefix(imp, module+"/")
			if !ours {
				continue
			}
			to := layer(rel)
			switch {
			case strings.HasPrefix(rel, "cmd/"):
				t.Errorf("%s imports %s: nothing imports a command", pkg, rel)
			case from >= 0 && to < 0 && !strings.HasPrefix(rel, "internal/"):
				t.Errorf("%s imports %s, which is outside the package graph", pkg, rel)
			case from >= 0 && to > from:
				t.Errorf("%s imports %s: imports point %s", pkg, rel, strings.Join(order, " → "))
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no imports checked")
	}
}
