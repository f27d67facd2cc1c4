package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/roomwatch/roomwatch/internal/realtest"
)

// TestStatusPageInBrowser runs the daemon on a real file with the listener
// on, and looks at the status page in a real headless Chromium: the rule
// that just matched and the destination's count are on it, a crafted log
// line is text (no script ran), and at 375 px wide (a phone) nothing
// scrolls sideways. A screenshot of each width is kept for people to look
// at: $ROOMWATCH_ARTIFACTS, or roomwatch-artifacts in the system's
// temporary folder.
func TestStatusPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser: skipped with -short")
	}
	chromium := realtest.LookPath(t, "chromium", "Debian package chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
	start := time.Now()

	dir := t.TempDir()
	logPath := filepath.Join(dir, "app.log")
	if err := os.WriteFile(logPath, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	addr := realtest.Addr(t)
	cfg := fmt.Sprintf(`listen: %s
destinations:
  ops: {type: hipchat, url_env: HIPCHAT_URL, token_env: HIPCHAT_TOKEN}
inputs:
  - path: %s
    start: beginning
defaults: {debounce: {wait: 0s, interval: 1m}}
rules:
  - {name: disk-full, match: 'disk full', room: Ops, destination: ops, color: red}
  - {name: brute, match: 'Failed password from (?P<ip>\S+)', room: Ops, destination: ops, group_by: [ip], threshold: {count: 5, within: 10m}}
`, addr, logPath)
	h := startDaemon(t, cfg, nil, nil, map[string]string{"HIPCHAT_TOKEN": statusToken})
	lines := "disk full on /var <script>document.title='pwned'</script><img src=x onerror=alert(1)>\n" +
		"Failed password from 198.51.100.7 " + strings.Repeat("x", 300) + "\n"
	f, err := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(lines); err != nil {
		t.Fatal(err)
	}
	f.Close()
	deadline := time.Now().Add(30 * time.Second)
	for len(h.srv.Notifications()) < 1 || h.s.en.Lines() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("nothing delivered; daemon log:\n%s", h.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	artifacts := os.Getenv("ROOMWATCH_ARTIFACTS")
	if artifacts == "" {
		artifacts = filepath.Join(os.TempDir(), "roomwatch-artifacts")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{375, 1280} {
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(width, 900),
			chromedp.Navigate("http://"+addr+"/"),
			chromedp.WaitVisible(chromedp.CSS("h1")),
		)
		if err != nil {
			t.Fatalf("chromium at %d px: %v", width, err)
		}
		text := browse(ctx, t, chromedp.Text(chromedp.CSS("body")))
		title := browse(ctx, t, chromedp.Title())
		scrollWidth := browse(ctx, t, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
		innerWidth := browse(ctx, t, chromedp.Evaluate[int64](`window.innerWidth`))
		elements := browse(ctx, t, chromedp.Evaluate[int64](`document.querySelectorAll("script, img").length`))
		shot := browse(ctx, t, chromedp.FullScreenshot(100))
		shotPath := filepath.Join(artifacts, fmt.Sprintf("status-%d.png", width))
		if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%d px: page %d px wide in a %d px window; screenshot %s (%d bytes)", width, scrollWidth, innerWidth, shotPath, len(shot))
		for _, want := range []string{"disk-full", "ops", "hipchat", "<script>document.title='pwned'</script>", "held below its threshold"} {
			if !strings.Contains(text, want) {
				t.Errorf("%d px: the page does not show %q:\n%s", width, want, text)
			}
		}
		if !strings.Contains(title, "roomwatch on") {
			t.Errorf("%d px: title %q: a script from the log ran", width, title)
		}
		if elements != 0 {
			t.Errorf("%d px: %d script or img elements on the page", width, elements)
		}
		if scrollWidth > innerWidth {
			t.Errorf("%d px: the page is %d px wide: it scrolls sideways", width, scrollWidth)
		}
		if strings.Contains(text, statusToken) {
			t.Errorf("%d px: the token is on the page", width)
		}
	}
	// The destination's counts, as the page shows them.
	if sent := browse(ctx, t, chromedp.Text(chromedp.CSS(`td[data-label="sent"]`))); strings.TrimSpace(sent) != "1" {
		t.Errorf("sent count on the page %q, want 1", sent)
	}
	t.Logf("browser test took %s", time.Since(start).Round(time.Millisecond))
}

// browse runs one action that yields a value, failing the test on error.
func browse[T any](ctx context.Context, t *testing.T, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return v
}
