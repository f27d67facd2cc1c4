// Command gen writes a large benchmark input built from the loghub samples:
// lines of all five systems mixed at random, each with some of its digits
// changed so that the lines are distinct, as a busy host's logs would be.
//
//	go run ./bench/gen -n 500000 -o bench/out/big.log testdata/loghub/*.log
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
)

func main() {
	n := flag.Int("n", 500000, "number of lines to write")
	out := flag.String("o", "-", "output `file` (- for stdout)")
	seed := flag.Uint64("seed", 1, "random seed (the same seed writes the same file)")
	flag.Parse()
	if err := run(*n, *out, *seed, flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}

func run(n int, out string, seed uint64, files []string) error {
	var systems [][][]byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
		for i, l := range lines {
			lines[i] = bytes.TrimSuffix(l, []byte("\r"))
		}
		systems = append(systems, lines)
	}
	if len(systems) == 0 {
		return fmt.Errorf("no input files")
	}
	w := os.Stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close() // a second Close after the checked one is harmless
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	line := make([]byte, 0, 4096)
	for range n {
		sys := systems[rng.IntN(len(systems))]
		line = vary(append(line[:0], sys[rng.IntN(len(sys))]...), rng)
		bw.Write(line)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if out != "-" {
		return w.Close()
	}
	return nil
}

// vary changes the last digit of every run of three or more digits (pids,
// ports, block ids, times), so repeated source lines come out distinct but
// keep their shape.
func vary(b []byte, rng *rand.Rand) []byte {
	run := 0
	for i := 0; i <= len(b); i++ {
		if i < len(b) && b[i] >= '0' && b[i] <= '9' {
			run++
			continue
		}
		if run >= 3 {
			b[i-1] = byte('0' + rng.IntN(10))
		}
		run = 0
	}
	return b
}
