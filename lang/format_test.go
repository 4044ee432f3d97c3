package lang

import (
	"os"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"one field per line, aligned",
			"plan p { model = m  cluster = c dp=2 }",
			"plan p {\n  model   = m\n  cluster = c\n  dp      = 2\n}\n"},
		{"blank lines collapse and break alignment runs",
			"plan p {\n  tp = 2\n\n\n  global_batch = 8\n  micro_batch = 2\n}\n\n\n\nmodel m {}\n",
			"plan p {\n  tp = 2\n\n  global_batch = 8\n  micro_batch  = 2\n}\n\nmodel m {}\n"},
		{"comments kept: leading, trailing, inside blocks, at the end",
			"// head\nimport \"hw/cpu\"   // cpu\nplan p { // hdr\n  // lead\n  tp = 2 // two\n  moe { rbd = true }\n  // last\n} // end\n// tail\n",
			"// head\nimport \"hw/cpu\" // cpu\nplan p { // hdr\n  // lead\n  tp = 2 // two\n  moe {\n    rbd = true\n  }\n  // last\n} // end\n// tail\n"},
		{"values in canonical form",
			"device d { memory = 64   GiB  f = phantom( 16 ,4 , ) c = frontier( nodes : 32 ) s = zb-h1 q = \"1f1b\" }",
			"device d {\n  memory = 64 GiB\n  f      = phantom(16, 4)\n  c      = frontier(nodes: 32)\n  s      = zb-h1\n  q      = \"1f1b\"\n}\n"},
		{"comment inside a multi-line value moves out",
			"plan p {\n  c = f(\n    // why\n    nodes: 2, // two\n  )\n}\n",
			"plan p {\n  c = f(nodes: 2) // two\n  // why\n}\n"},
		{"empty blocks", "plan p { moe { } }\n", "plan p {\n  moe {}\n}\n"},
	}
	for _, tt := range tests {
		got, diags := Format("t.plan", []byte(tt.in))
		if diags.HasErrors() {
			t.Errorf("%s: %v", tt.name, diags)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s:\n got:\n%s\nwant:\n%s", tt.name, got, tt.want)
		}
		again, _ := Format("t.plan", got)
		if string(again) != string(got) {
			t.Errorf("%s: not idempotent:\n%s", tt.name, again)
		}
	}
}

func TestFormatRefusesSyntaxErrors(t *testing.T) {
	out, diags := Format("t.plan", []byte("plan p { tp 4 }"))
	if out != nil || !diags.HasErrors() {
		t.Errorf("got %q, %v", out, diags)
	}
}

// TestStdlibAndExamplesAreCanonical is `planc fmt -l` on the repository:
// every stdlib and example file is in canonical form, and formatting is
// idempotent on them.
func TestStdlibAndExamplesAreCanonical(t *testing.T) {
	for _, f := range repoFiles(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out, diags := Format(f, src)
		if diags.HasErrors() {
			t.Errorf("%s: %v", f, diags)
			continue
		}
		if again, _ := Format(f, out); string(again) != string(out) {
			t.Errorf("%s: formatting is not idempotent", f)
		}
		if string(out) != string(src) {
			t.Errorf("%s is not in canonical form (run planc fmt -w %s)", f, f)
		}
	}
}
