package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const unitFile = "../../systemd/roomwatch.service"

// maxExposure is the highest `systemd-analyze security` exposure the unit
// may have: "OK" is below 2.0 in its scale, where the tools roomwatch
// replaces ship units rated 9.2 and 9.6 ("UNSAFE").
const maxExposure = 2.0

func systemdAnalyze(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	return p
}

var exposureRE = regexp.MustCompile(`Overall exposure level for roomwatch\.service: ([0-9.]+) (\S+)`)

func TestUnitSecurity(t *testing.T) {
	sa := systemdAnalyze(t)
	out, err := exec.Command(sa, "security", "--offline=yes", "--no-pager", unitFile).CombinedOutput()
	// security exits non-zero only past --threshold; the figure is what counts.
	m := exposureRE.FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("no exposure figure in the output (err %v):\n%s", err, out)
	}
	got, perr := strconv.ParseFloat(m[1], 64)
	if perr != nil {
		t.Fatal(perr)
	}
	t.Logf("exposure %s %s", m[1], m[2])
	if got > maxExposure {
		t.Errorf("exposure %.1f %s, want at most %.1f:\n%s", got, m[2], maxExposure, out)
	}
}

func TestUnitVerify(t *testing.T) {
	sa := systemdAnalyze(t)
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	// verify checks that ExecStart's binary exists: point it at one that does.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(unit), "/usr/local/bin/roomwatch", exe)
	path := filepath.Join(t.TempDir(), "roomwatch.service")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sa, "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestUnitEssentials checks what the daemon relies on, whatever the score.
func TestUnitEssentials(t *testing.T) {
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Type=notify", "NotifyAccess=main", "WatchdogSec=", "ExecReload=/bin/kill -HUP $MAINPID",
		"DynamicUser=yes", "SupplementaryGroups=adm systemd-journal", "StateDirectory=roomwatch", "ConfigurationDirectory=roomwatch",
		"LoadCredential=hipchat.token:", "ProtectSystem=strict", "PrivateTmp=yes",
		"RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
	} {
		if !strings.Contains(string(unit), "\n"+want) {
			t.Errorf("unit lacks %q", want)
		}
	}
	// The network must reach chat servers, and /var/log must stay readable.
	for _, bad := range []string{"IPAddressDeny=any", "PrivateNetwork=yes", "InaccessiblePaths=/var/log", "TemporaryFileSystem=/var"} {
		if strings.Contains(string(unit), bad) {
			t.Errorf("unit has %q", bad)
		}
	}
}
