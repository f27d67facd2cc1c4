package main

import "testing"

func TestZZProf(t *testing.T) {
	cfg, err := loadConfig("../../bench/rules.yaml", &env{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := runTest(cfg, []string{"../../bench/out/big.log"}, nil); err != nil {
			t.Fatal(err)
		}
	}
}
