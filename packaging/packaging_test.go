// Package packaging_test builds the release packages with build.sh, as a
// release would, and checks what they hold with the distributions' own
// tools: dpkg-deb, lintian and rpm.
package packaging_test

import (
	"debug/elf"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/internal/realtest"
)

const version = "0.99.1"

// build runs packaging/build.sh into a temporary folder once per test
// binary and returns that folder.
func build(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the packages: not in -short")
	}
	trackSources(t)
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "roomwatch-dist-")
		if err != nil {
			builtErr = err
			return
		}
		cmd := exec.Command("bash", "build.sh", version)
		cmd.Env = append(os.Environ(), "DIST="+dir)
		out, err := cmd.CombinedOutput()
		builtDir, builtOut, builtErr = dir, string(out), err
	})
	if builtErr != nil {
		t.Fatalf("build.sh %s: %v\n%s", version, builtErr, builtOut)
	}
	return builtDir
}

// trackSources stats every file the packages are made of, so that go
// test's cache knows them: without it, a cached PASS would outlive a change
// to the daemon, the unit or the rule packs, which this package does not
// import.
func trackSources(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != ".." || d.Name() == "testdata" || d.Name() == "dist") {
			return filepath.SkipDir
		}
		switch filepath.Ext(p) {
		case ".go", ".yaml", ".service", ".sh", ".mod", ".sum":
			_, err = os.Stat(p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"copyright", "lintian-overrides"} {
		if _, err := os.Stat(f); err != nil {
			t.Fatal(err)
		}
	}
}

func only(t *testing.T, pattern string) string {
	t.Helper()
	m, _ := filepath.Glob(pattern)
	if len(m) != 1 {
		t.Fatalf("want one file %s, have %v", pattern, m)
	}
	return m[0]
}

// packaged is what the packages must hold.
var packaged = []string{
	"/usr/bin/roomwatch",
	"/lib/systemd/system/roomwatch.service",
	"/etc/roomwatch/roomwatch.yaml",
	"/etc/roomwatch/rules.d/sshd.yaml",
	"/etc/roomwatch/rules.d/sudo.yaml",
	"/etc/roomwatch/rules.d/kernel.yaml",
	"/etc/roomwatch/rules.d/systemd.yaml",
	"/etc/roomwatch/rules.d/nginx.yaml",
	"/usr/share/man/man1/roomwatch.1.gz",
	"/usr/share/bash-completion/completions/roomwatch",
	"/usr/share/zsh/vendor-completions/_roomwatch",
	"/usr/share/fish/vendor_completions.d/roomwatch.fish",
	"/usr/share/doc/roomwatch/copyright",
}

func TestBinaryIsStaticAndStamped(t *testing.T) {
	dist := build(t)
	bin := filepath.Join(dist, "roomwatch")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary asks for a dynamic loader: not static")
		}
	}
	if s := f.Section(".symtab"); s != nil {
		t.Error("the binary keeps its symbol table: not stripped")
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("version: %v: %s", err, out)
	}
	want := regexp.MustCompile(`^roomwatch ` + regexp.QuoteMeta(version) + ` \(commit [0-9a-f]{12}(-modified)?, go1\.`)
	if !want.Match(out) {
		t.Errorf("version printed %q, want %s", out, want)
	}
	fi, _ := os.Stat(bin)
	t.Logf("binary: %d bytes; %s", fi.Size(), strings.TrimSpace(string(out)))
}

func TestDeb(t *testing.T) {
	dist := build(t)
	dpkgDeb := realtest.LookPath(t, "dpkg-deb", "Debian package dpkg")
	deb := only(t, filepath.Join(dist, "roomwatch_"+version+"-1_*.deb"))
	out, err := exec.Command(dpkgDeb, "-c", deb).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb -c: %v: %s", err, out)
	}
	for _, p := range packaged {
		if !strings.Contains(string(out), " ."+p+"\n") {
			t.Errorf("the .deb lacks %s:\n%s", p, out)
		}
	}
	conf, err := exec.Command(dpkgDeb, "-I", deb, "conffiles").CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb -I conffiles: %v: %s", err, conf)
	}
	if !strings.Contains(string(conf), "/etc/roomwatch/roomwatch.yaml\n") {
		t.Errorf("/etc/roomwatch/roomwatch.yaml is not a conffile: %s", conf)
	}
	// The .deb holds what this build made, not older files.
	if out, err := exec.Command("sh", "-c", `"$1" --fsys-tarfile "$2" | tar -xOf - ./usr/bin/roomwatch | cmp - "$3"`,
		"sh", dpkgDeb, deb, filepath.Join(dist, "roomwatch")).CombinedOutput(); err != nil {
		t.Errorf("/usr/bin/roomwatch in the .deb is not the binary just built: %v: %s", err, out)
	}
	unit, err := exec.Command("sh", "-c", `"$1" --fsys-tarfile "$2" | tar -xOf - ./lib/systemd/system/roomwatch.service`, "sh", dpkgDeb, deb).CombinedOutput()
	if err != nil {
		t.Fatalf("unit from the .deb: %v: %s", err, unit)
	}
	for _, want := range []string{
		"\nExecStart=/usr/bin/roomwatch run -c /etc/roomwatch/roomwatch.yaml\n",
		" -- /usr/bin/roomwatch check -c /etc/roomwatch/roomwatch.yaml\nExecReload=/bin/kill -HUP $MAINPID\n",
	} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("the packaged unit lacks %q:\n%s", want, unit)
		}
	}
	// A credential whose file is missing stops the unit from starting: the
	// packaged unit names none (the user adds them with systemctl edit).
	if regexp.MustCompile(`(?m)^LoadCredential=|/usr/local/`).Match(unit) {
		t.Errorf("the packaged unit holds LoadCredential= or /usr/local:\n%s", unit)
	}
}

func TestLintian(t *testing.T) {
	dist := build(t)
	lintian := realtest.LookPath(t, "lintian", "Debian package lintian")
	deb := only(t, filepath.Join(dist, "roomwatch_"+version+"-1_*.deb"))
	out, _ := exec.Command(lintian, "--tag-display-limit", "0", deb).CombinedOutput()
	t.Logf("lintian:\n%s", out)
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "E: ") {
			t.Errorf("lintian error: %s", line)
		}
	}
}

func TestRPM(t *testing.T) {
	dist := build(t)
	rpm := realtest.LookPath(t, "rpm", "Debian package rpm")
	pkg := only(t, filepath.Join(dist, "roomwatch-"+version+"-1.*.rpm"))
	out, err := exec.Command(rpm, "-qlp", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("rpm -qlp: %v: %s", err, out)
	}
	for _, p := range packaged {
		if !strings.Contains(string(out), p+"\n") {
			t.Errorf("the .rpm lacks %s:\n%s", p, out)
		}
	}
	conf, err := exec.Command(rpm, "-qp", "--configfiles", pkg).CombinedOutput()
	if err != nil || !strings.Contains(string(conf), "/etc/roomwatch/roomwatch.yaml") {
		t.Errorf("rpm --configfiles: %v: %s", err, conf)
	}
}
