package batch

import (
	"math"
	"math/bits"
)

// sketchBits sets the size of a sketch: 2^14 one-byte registers (16 KiB),
// a standard error of about 0.8%.
const sketchBits = 14

// sketch counts distinct values in fixed memory (HyperLogLog, with linear
// counting for small numbers, where it is all but exact). An overflow
// digest uses one to say how many keys it folded, however many an
// attacker makes up.
type sketch struct {
	reg [1 << sketchBits]uint8
}

// add records the hash of one value.
func (s *sketch) add(h uint64) {
	i := h >> (64 - sketchBits)
	rank := uint8(bits.LeadingZeros64(h<<sketchBits|1<<(sketchBits-1))) + 1
	if rank > s.reg[i] {
		s.reg[i] = rank
	}
}

// count estimates how many distinct values were added.
func (s *sketch) count() int {
	const m = float64(len(s.reg))
	sum, zeros := 0.0, 0
	for _, r := range s.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	est := 0.7213 / (1 + 1.079/m) * m * m / sum
	if est <= 2.5*m && zeros > 0 {
		est = m * math.Log(m/float64(zeros))
	}
	return int(math.Round(est))
}
