package email

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/realtest"
)

// mailpitVersion is the Mailpit .ci/setup builds into the CI cache.
const mailpitVersion = "v1.33.1"

// mailpit is a real SMTP server, started by the test on unusual ports of
// 127.0.0.1, and read back through its HTTP API.
type mailpit struct {
	smtp string // host:port
	api  string // http://host:port
	ca   *x509.CertPool
}

// mailpitOptions say how the server is started.
type mailpitOptions struct {
	tls        bool     // a test certificate for STARTTLS (or implicit TLS with args)
	users      []string // user:password lines of the AUTH file
	smtpAddr   string   // the SMTP address; a fresh one if empty
	extraFlags []string
}

// startMailpit runs Mailpit until the test ends.
func startMailpit(t *testing.T, o mailpitOptions) *mailpit {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a real SMTP server")
	}
	bin := realtest.CachedBin("mailpit-"+mailpitVersion, "mailpit")
	if _, err := os.Stat(bin); err != nil {
		realtest.Missing(t, "mailpit "+mailpitVersion,
			"GOBIN="+filepath.Dir(bin)+" go install github.com/axllent/mailpit@"+mailpitVersion)
	}
	dir := t.TempDir()
	m := &mailpit{smtp: o.smtpAddr, api: "http://" + realtest.Addr(t)}
	if m.smtp == "" {
		m.smtp = realtest.Addr(t)
	}
	args := []string{"--smtp", m.smtp, "--listen", strings.TrimPrefix(m.api, "http://"),
		"--database", filepath.Join(dir, "mailpit.db"), "--smtp-disable-rdns", "--disable-version-check"}
	if o.tls {
		cert, key, pool := testCert(t, dir)
		m.ca = pool
		args = append(args, "--smtp-tls-cert", cert, "--smtp-tls-key", key)
	}
	if len(o.users) > 0 {
		f := filepath.Join(dir, "auth")
		if err := os.WriteFile(f, []byte(strings.Join(o.users, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--smtp-auth-file", f)
	}
	args = append(args, o.extraFlags...)
	cmd := exec.Command(bin, args...)
	out, err := os.Create(filepath.Join(dir, "mailpit.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(out.Name())
			t.Logf("mailpit log:\n%s", log)
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(m.api + "/api/v1/messages")
		if err == nil {
			resp.Body.Close()
			if c, err := net.Dial("tcp", m.smtp); err == nil {
				c.Close()
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// summary is an entry of GET /api/v1/messages.
type summary struct {
	ID string `json:"ID"`
}

// message is GET /api/v1/message/{ID}.
type message struct {
	ID        string    `json:"ID"`
	MessageID string    `json:"MessageID"`
	From      address   `json:"From"`
	To        []address `json:"To"`
	Cc        []address `json:"Cc"`
	Bcc       []address `json:"Bcc"`
	Subject   string    `json:"Subject"`
	Text      string    `json:"Text"`
	HTML      string    `json:"HTML"`
}

type address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

func (m *mailpit) get(t *testing.T, path string, v any) {
	t.Helper()
	resp, err := http.Get(m.api + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// messages returns every message Mailpit holds, newest first.
func (m *mailpit) messages(t *testing.T) []message {
	t.Helper()
	var list struct {
		Messages []summary `json:"messages"`
	}
	m.get(t, "/api/v1/messages", &list)
	out := make([]message, len(list.Messages))
	for i, s := range list.Messages {
		m.get(t, "/api/v1/message/"+s.ID, &out[i])
	}
	return out
}

// raw returns a message as Mailpit received it.
func (m *mailpit) raw(t *testing.T, id string) string {
	t.Helper()
	resp, err := http.Get(m.api + "/api/v1/message/" + id + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// testCert writes a self-signed certificate for 127.0.0.1 and returns
// its files and a pool that trusts it.
func testCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "roomwatch test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// tlsConfig trusts the server's test certificate.
func (m *mailpit) tlsConfig() *tls.Config { return &tls.Config{RootCAs: m.ca} }
