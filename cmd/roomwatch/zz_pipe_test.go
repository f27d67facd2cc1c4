package main

import (
	"io"
	"os"
	"testing"
)

func TestZZPipe(t *testing.T) {
	for range 3 {
		f, err := os.Open("../../bench/out/big.log")
		if err != nil {
			t.Fatal(err)
		}
		e := &env{stdin: f, stdout: io.Discard, stderr: io.Discard, getenv: os.Getenv, lookup: os.LookupEnv}
		if code := run([]string{"pipe", "-c", "../../bench/rules.yaml"}, e); code != 0 {
			t.Fatalf("exit %d", code)
		}
		f.Close()
	}
}
