package lang_test

import (
	"fmt"

	"planc/lang"
)

func ExampleFormat() {
	out, diags := lang.Format("p.plan", []byte("plan p { model = tiny_gpt  cluster = cpu(per_node:2)  tp=2 // two ranks\n}"))
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	fmt.Print(string(out))
	// Output:
	// plan p {
	//   model   = tiny_gpt
	//   cluster = cpu(per_node: 2)
	//   tp      = 2 // two ranks
	// }
}

func ExampleParseValue() {
	v, _ := lang.ParseValue("v", []byte("1.6 TB/s"))
	fmt.Println(v.Num, v.Unit)
	// Output: 1.6 TB/s
}
