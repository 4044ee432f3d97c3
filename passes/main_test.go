package passes_test

import (
	"os"
	"testing"

	"planc/lang"
)

func TestMain(m *testing.M) {
	prog, diags := lang.Load([]string{repoFile("stdlib/models/tiny.plan")}, lang.Options{})
	if diags.HasErrors() {
		panic(diags.Error())
	}
	for name, mdl := range prog.Models {
		stdModels[name] = mdl
	}
	os.Exit(m.Run())
}
