// Package tensor holds planc's float32 tensors and the seeded, name-keyed
// generator that initializes every parameter.
//
// Contract:
//   - A [Tensor] is a shape and a contiguous, row-major []float32 of exactly
//     the product of the shape's dimensions. Views made by [Tensor.Rows] share
//     the parent's storage.
//   - Initialization is a pure function of (seed, parameter name, shape, std):
//     a parameter is always generated WHOLE, in row-major order, and then
//     sharded, so that every parallel plan starts from bitwise identical
//     weights. The generator is specified exactly in [NewParamRNG] and
//     [RNG.Normal] so that another implementation can reproduce it.
package tensor

import (
	"fmt"
	"strings"
)

// Tensor is a dense row-major float32 array.
type Tensor struct {
	Shape []int
	Data  []float32
}

// Numel returns the number of elements that shape describes.
func Numel(shape ...int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("tensor: negative dimension in shape %v", shape))
		}
		n *= d
	}
	return n
}

// New returns a zero tensor of the given shape.
func New(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, Numel(shape...))}
}

// FromData wraps data (not copied) as a tensor of the given shape. It panics
// when the length does not match the shape: that is a programming error.
func FromData(data []float32, shape ...int) *Tensor {
	if len(data) != Numel(shape...) {
		panic(fmt.Sprintf("tensor: %d values do not fill shape %v", len(data), shape))
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}
}

// Numel returns the number of elements of t.
func (t *Tensor) Numel() int { return len(t.Data) }

// Dim returns the size of dimension i; negative i counts from the end.
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += len(t.Shape)
	}
	return t.Shape[i]
}

// RowSize returns the number of elements in one index of the first
// dimension (1 for a scalar or a vector).
func (t *Tensor) RowSize() int {
	if len(t.Shape) == 0 {
		return 1
	}
	return Numel(t.Shape[1:]...)
}

// Rows returns a view of rows [lo, hi) of the first dimension; it shares
// storage with t.
func (t *Tensor) Rows(lo, hi int) *Tensor {
	if len(t.Shape) == 0 || lo < 0 || hi < lo || hi > t.Shape[0] {
		panic(fmt.Sprintf("tensor: rows [%d,%d) out of shape %v", lo, hi, t.Shape))
	}
	rs := t.RowSize()
	shape := append([]int{hi - lo}, t.Shape[1:]...)
	return &Tensor{Shape: shape, Data: t.Data[lo*rs : hi*rs : hi*rs]}
}

// Reshape returns a view of t with another shape of the same size.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	return FromData(t.Data, shape...)
}

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
}

// Zero sets every element of t to 0.
func (t *Tensor) Zero() { clear(t.Data) }

// SameShape reports whether t and u have equal shapes.
func (t *Tensor) SameShape(u *Tensor) bool {
	if len(t.Shape) != len(u.Shape) {
		return false
	}
	for i := range t.Shape {
		if t.Shape[i] != u.Shape[i] {
			return false
		}
	}
	return true
}

// String describes the shape, not the values: "tensor[4 64]".
func (t *Tensor) String() string {
	var b strings.Builder
	b.WriteString("tensor[")
	for i, d := range t.Shape {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, d)
	}
	b.WriteByte(']')
	return b.String()
}

// Cols copies columns [lo, hi) of a 2-D row-major matrix src (rows × cols)
// into a new rows × (hi-lo) tensor. Sharding a weight by output columns
// (tensor parallelism) uses it.
func Cols(src *Tensor, lo, hi int) *Tensor {
	if len(src.Shape) != 2 || lo < 0 || hi < lo || hi > src.Shape[1] {
		panic(fmt.Sprintf("tensor: cols [%d,%d) out of shape %v", lo, hi, src.Shape))
	}
	rows, cols := src.Shape[0], src.Shape[1]
	out := New(rows, hi-lo)
	for r := 0; r < rows; r++ {
		copy(out.Data[r*(hi-lo):(r+1)*(hi-lo)], src.Data[r*cols+lo:r*cols+hi])
	}
	return out
}
