package tailer

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseEntry(t *testing.T) {
	tests := []struct {
		name string
		line string
		want jentry // Cursor "" for an error
	}{
		{"strings", `{"__CURSOR":"s=1;i=2","MESSAGE":"hello","_PID":"7","OTHER":"x","__REALTIME_TIMESTAMP":"5"}`,
			jentry{Cursor: "s=1;i=2", Message: jvalue("hello"), PID: jvalue("7"), cursor: jvalue("s=1;i=2"), realtime: jvalue("5")}},
		{"escapes", `{ "__CURSOR" : "c" , "MESSAGE" : "Traceback:\n\t\"x\" \u00e9 \ud83d\ude00\\" }`,
			jentry{Cursor: "c", Message: jvalue("Traceback:\n\t\"x\" é 😀\\"), cursor: jvalue("c")}},
		{"bytes", `{"__CURSOR":"c","MESSAGE":[98,105,110,255,254]}`,
			jentry{Cursor: "c", Message: jvalue("bin\xff\xfe"), cursor: jvalue("c")}},
		{"null", `{"__CURSOR":"c","MESSAGE":null}`, jentry{Cursor: "c", cursor: jvalue("c")}},
		{"repeated", `{"__CURSOR":"c","MESSAGE":["first",[108,97,115,116]],"_PID":["1","2"]}`,
			jentry{Cursor: "c", Message: jvalue("last"), PID: jvalue("2"), cursor: jvalue("c")}},
		{"skipped fields of every shape", `{"A":[],"B":[1,2],"C":[["x"],null],"D":null,"__CURSOR":"c"}`,
			jentry{Cursor: "c", cursor: jvalue("c")}},
		{"no cursor", `{"MESSAGE":"x"}`, jentry{}},
		{"empty object", `{}`, jentry{}},
		{"not an object", `["x"]`, jentry{}},
		{"cut short", `{"__CURSOR":"c","MESSAGE":"x`, jentry{}},
		{"byte out of range", `{"__CURSOR":"c","MESSAGE":[256]}`, jentry{}},
		{"number value", `{"__CURSOR":"c","MESSAGE":5}`, jentry{}},
		{"trailing comma", `{"__CURSOR":"c",}`, jentry{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseEntry([]byte(tt.line))
			if (err != nil) != (tt.want.Cursor == "") {
				t.Fatalf("parseEntry: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(jentry{})); diff != "" {
				t.Errorf("entry mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseEntry(f *testing.F) {
	f.Add([]byte(`{"__CURSOR":"c","MESSAGE":["a",[1,2]],"X":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := parseEntry(b)
		if err == nil && e.Cursor == "" {
			t.Errorf("no error and no cursor for %q", b)
		}
	})
}
