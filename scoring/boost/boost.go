// Package boost is a small gradient-boosted tree ensemble for a binary
// outcome: its model is data (JSON), its prediction is a sum of leaf values
// in log-odds, and every prediction splits into one contribution per
// feature (the change in expected value along each tree's path), so that a
// caller can say in words what raised or lowered it. Fit trains one with
// the logistic loss on histogram-binned features; it is deterministic.
package boost

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// Ensemble is a fitted model. Features names the inputs in the order a
// feature vector holds them.
type Ensemble struct {
	Features []string `json:"features"`
	// Bias is the log-odds before any tree.
	Bias  float64 `json:"bias"`
	Trees []Tree  `json:"trees"`
}

// Tree is one regression tree; Nodes[0] is its root.
type Tree struct {
	Nodes []Node `json:"nodes"`
}

// Node is a split (F ≥ 0: go to L when x[F] ≤ T, else to R) or a leaf
// (F < 0). V is the node's value in log-odds: a leaf's output, or for a
// split what the tree would output had it stopped there (its rows' mean,
// shrunk like a leaf), which is what a feature's contribution is measured
// from.
type Node struct {
	F int     `json:"f"`
	T float64 `json:"t,omitempty"`
	L int     `json:"l,omitempty"`
	R int     `json:"r,omitempty"`
	V float64 `json:"v"`
}

// Validate checks that every tree is well formed for len(e.Features)
// inputs: children in range and after their parent (so no cycle), leaves
// where F < 0.
func (e *Ensemble) Validate() error {
	for ti, t := range e.Trees {
		if len(t.Nodes) == 0 {
			return fmt.Errorf("tree %d: no nodes", ti)
		}
		for ni, n := range t.Nodes {
			if n.F < 0 {
				continue
			}
			if n.F >= len(e.Features) {
				return fmt.Errorf("tree %d node %d: feature %d of %d", ti, ni, n.F, len(e.Features))
			}
			if n.L <= ni || n.R <= ni || n.L >= len(t.Nodes) || n.R >= len(t.Nodes) {
				return fmt.Errorf("tree %d node %d: children %d, %d out of order", ti, ni, n.L, n.R)
			}
			if math.IsNaN(n.T) {
				return fmt.Errorf("tree %d node %d: threshold is NaN", ti, ni)
			}
		}
	}
	return nil
}

// LogOdds is the ensemble's prediction for x.
func (e *Ensemble) LogOdds(x []float64) float64 {
	lo := e.Bias
	for _, t := range e.Trees {
		lo += t.Nodes[t.leaf(x)].V
	}
	return lo
}

func (t Tree) leaf(x []float64) int {
	i := 0
	for t.Nodes[i].F >= 0 {
		n := t.Nodes[i]
		if x[n.F] <= n.T {
			i = n.L
		} else {
			i = n.R
		}
	}
	return i
}

// Contributions splits the prediction for x: base (the bias and every
// root's value: the prediction for an average row) plus per[f] for each
// feature sums to LogOdds(x). per[f] adds up, over the trees, how the
// expected value moved at each split on f along x's path.
func (e *Ensemble) Contributions(x []float64) (base float64, per []float64) {
	per = make([]float64, len(e.Features))
	base = e.Bias
	for _, t := range e.Trees {
		i := 0
		base += t.Nodes[0].V
		for t.Nodes[i].F >= 0 {
			n := t.Nodes[i]
			next := n.R
			if x[n.F] <= n.T {
				next = n.L
			}
			per[n.F] += t.Nodes[next].V - n.V
			i = next
		}
	}
	return base, per
}

// Params set how Fit grows the ensemble.
type Params struct {
	Rounds  int     // trees
	Rate    float64 // shrinkage of each tree's values
	Depth   int     // most splits from root to leaf
	MinLeaf int     // fewest rows in a leaf
	Lambda  float64 // L2 penalty on leaf values
	Bins    int     // most thresholds tried per feature (≤ 255)
}

// DefaultParams are the settings the identity model's second look was
// fitted with (docs/IDENTITY.md, twelfth round: depth 6 and 255 bins; the
// tenth and eleventh rounds used depth 4 and 64 bins).
func DefaultParams() Params {
	return Params{Rounds: 500, Rate: 0.05, Depth: 6, MinLeaf: 40, Lambda: 1, Bins: 255}
}

// Fit trains an ensemble on rows x (each len(names) long) with outcomes y,
// minimising the logistic loss.
func Fit(names []string, x [][]float64, y []bool, p Params) (*Ensemble, error) {
	switch {
	case len(x) == 0 || len(x) != len(y):
		return nil, fmt.Errorf("boost: %d rows, %d outcomes", len(x), len(y))
	case p.Rounds <= 0 || p.Rate <= 0 || p.Depth <= 0 || p.MinLeaf <= 0 || p.Bins < 2 || p.Bins > 255 || p.Lambda < 0:
		return nil, fmt.Errorf("boost: bad parameters %+v", p)
	}
	for i, r := range x {
		if len(r) != len(names) {
			return nil, fmt.Errorf("boost: row %d has %d features, want %d", i, len(r), len(names))
		}
		for _, v := range r {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("boost: row %d holds %v", i, v)
			}
		}
	}
	pos := 0
	for _, v := range y {
		if v {
			pos++
		}
	}
	if pos == 0 || pos == len(y) {
		return nil, errors.New("boost: every outcome is the same")
	}
	d := bin(x, len(names), p.Bins)
	e := &Ensemble{Features: append([]string(nil), names...), Bias: math.Log(float64(pos) / float64(len(y)-pos))}
	lo := make([]float64, len(x))
	for i := range lo {
		lo[i] = e.Bias
	}
	g, h := make([]float64, len(x)), make([]float64, len(x))
	rows := make([]int32, len(x))
	for r := 0; r < p.Rounds; r++ {
		for i := range x {
			q := 1 / (1 + math.Exp(-lo[i]))
			yi := 0.0
			if y[i] {
				yi = 1
			}
			g[i], h[i] = q-yi, math.Max(q*(1-q), 1e-6)
		}
		for i := range rows {
			rows[i] = int32(i)
		}
		t := grow(d, g, h, rows, p)
		for i := range x {
			lo[i] += t.Nodes[t.leaf(x[i])].V
		}
		e.Trees = append(e.Trees, t)
	}
	return e, nil
}

// binned holds each feature's candidate thresholds and every row's bin
// (bin b holds values ≤ cuts[f][b], above cuts[f][b-1]).
type binned struct {
	cuts [][]float64
	bins [][]uint8 // [feature][row]
}

func bin(x [][]float64, nf, most int) binned {
	d := binned{cuts: make([][]float64, nf), bins: make([][]uint8, nf)}
	for f := range nf {
		vals := make([]float64, len(x))
		for i, r := range x {
			vals[i] = r[f]
		}
		sorted := append([]float64(nil), vals...)
		slices.Sort(sorted)
		var cuts []float64
		for k := 1; k <= most; k++ {
			c := sorted[min(len(sorted)-1, k*len(sorted)/most)]
			if k == most {
				c = sorted[len(sorted)-1]
			}
			if len(cuts) == 0 || c > cuts[len(cuts)-1] {
				cuts = append(cuts, c)
			}
		}
		d.cuts[f] = cuts
		b := make([]uint8, len(x))
		for i, v := range vals {
			b[i] = uint8(sort.SearchFloat64s(cuts, v))
		}
		d.bins[f] = b
	}
	return d
}

type growing struct {
	node  int
	rows  []int32
	depth int
	g, h  float64
}

func grow(d binned, g, h []float64, rows []int32, p Params) Tree {
	var t Tree
	leafValue := func(gs, hs float64) float64 { return -p.Rate * gs / (hs + p.Lambda) }
	var gs, hs float64
	for _, i := range rows {
		gs += g[i]
		hs += h[i]
	}
	t.Nodes = append(t.Nodes, Node{F: -1, V: leafValue(gs, hs)})
	queue := []growing{{node: 0, rows: rows, g: gs, h: hs}}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c.depth >= p.Depth || len(c.rows) < 2*p.MinLeaf {
			continue
		}
		f, b, gl, hl, ok := bestSplit(d, g, h, c, p)
		if !ok {
			continue
		}
		var left, right []int32
		for _, i := range c.rows {
			if int(d.bins[f][i]) <= b {
				left = append(left, i)
			} else {
				right = append(right, i)
			}
		}
		l := len(t.Nodes)
		t.Nodes = append(t.Nodes, Node{F: -1, V: leafValue(gl, hl)}, Node{F: -1, V: leafValue(c.g-gl, c.h-hl)})
		n := &t.Nodes[c.node]
		n.F, n.T, n.L, n.R = f, d.cuts[f][b], l, l+1
		queue = append(queue,
			growing{node: l, rows: left, depth: c.depth + 1, g: gl, h: hl},
			growing{node: l + 1, rows: right, depth: c.depth + 1, g: c.g - gl, h: c.h - hl})
	}
	return t
}

// bestSplit finds the feature and bin that most reduce the loss, leaving
// at least MinLeaf rows on each side. Large nodes scan their features on
// several goroutines; the pick is the same either way (the best gain, the
// first feature and bin on a tie).
func bestSplit(d binned, g, h []float64, c growing, p Params) (feat, at int, gl, hl float64, ok bool) {
	type found struct {
		gain, gl, hl float64
		at           int
	}
	per := make([]found, len(d.bins))
	parent := c.g * c.g / (c.h + p.Lambda)
	scan := func(f int) {
		nb := len(d.cuts[f])
		if nb < 2 {
			return
		}
		var hg, hh [256]float64
		var hn [256]int
		bf := d.bins[f]
		for _, i := range c.rows {
			b := bf[i]
			hg[b] += g[i]
			hh[b] += h[i]
			hn[b]++
		}
		var sg, sh float64
		sn := 0
		for b := 0; b < nb-1; b++ {
			sg, sh, sn = sg+hg[b], sh+hh[b], sn+hn[b]
			if sn < p.MinLeaf {
				continue
			}
			if len(c.rows)-sn < p.MinLeaf {
				break
			}
			gain := sg*sg/(sh+p.Lambda) + (c.g-sg)*(c.g-sg)/(c.h-sh+p.Lambda) - parent
			if gain > per[f].gain {
				per[f] = found{gain: gain, gl: sg, hl: sh, at: b}
			}
		}
	}
	if workers := min(runtime.GOMAXPROCS(0), len(d.bins)); len(c.rows) >= 20000 && workers > 1 {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for f := w; f < len(d.bins); f += workers {
					scan(f)
				}
			}()
		}
		wg.Wait()
	} else { // most nodes: too few rows to be worth a goroutine
		for f := range d.bins {
			scan(f)
		}
	}
	best := 1e-9
	for f, x := range per {
		if x.gain > best {
			best, feat, at, gl, hl, ok = x.gain, f, x.at, x.gl, x.hl, true
		}
	}
	return feat, at, gl, hl, ok
}
