// Package exec trains a plan's model for real on the CPU: it builds every
// rank's share of the model, lowers the plan to its runtime schedule
// (package passes/sched) and executes each rank's actions, ranks being
// goroutines that talk through package collective.
//
// # The program
//
// What runs is what the compiler lowered: the compiled unit's stage
// programs (ir.StageProgram, built by the passes' program pass from the op
// graph and its collectives). A stage's forward (an F action) interprets
// its program instruction by instruction (interp.go): an op by the kernel
// bound to its kind (opKernels: ops_dense.go, ops_mlp.go; attention,
// the MoE block and phantom layers are fused groups whose members the
// program lists), a layout conversion by the collectives the unit placed
// (all-reduce, reduce-scatter, all-gather over the axis it names, rows or
// columns); backward (B, and W under a split backward) runs it in
// reverse, each kernel's backward and each conversion's adjoint. The
// kernels read the local shapes the unit's tensors give; those that
// communicate inside (the vocabulary-parallel embedding and loss,
// attention under cp, MoE dispatch, phantom ghosts) issue the collectives
// the instruction carries. No code here composes a layer: a unit whose
// program holds an op kind without a kernel is refused before any work.
//
// # The model
//
// The model is the reference semantics of docs/semantics.md,
// computed with package kernels. The parameters (names, shapes, tp
// shards, owners, initialization) are the compiled unit's parameter table
// and the pipeline's layer partition is the unit's (both built by package
// passes: NewTrainer compiles the plan unless Config.Unit is given); the
// names are package ckpt's. Every parameter is generated whole by
// tensor.InitNormal(seed, name, std, shape) and then sharded, so every plan
// starts from the same weights: std 0.02 for embeddings, qkv, fc1, the
// router and an untied lm_head; 0.02/sqrt(2·layers) for the residual projections (attn.out, fc2);
// LayerNorm gains 1, biases 0. mlp models use std sqrt(2/width) and zero
// biases.
//
// A step draws its global batch (global_batch sequences of seq+1 tokens, in
// the order of package data) and cuts it into micro-batches of micro_batch
// sequences in index order; dp rank d runs micro-batches [d·M, (d+1)·M) of
// the global batch, M = global_batch/(dp·micro_batch). The loss of a
// micro-batch is its mean next-token cross-entropy plus, in MoE models, the
// auxiliary loss of each MoE layer (aux_loss·E·Σ f_i·P_i over the
// micro-batch's T tokens, f_i the share of routed slots before capacity
// drops, P_i the mean router probability); the step's loss is the mean over
// all micro-batches of the global batch. Capacity dispatch keeps at most
// ceil(k·T·capacity_factor/E) copies per expert per micro-batch, walking
// tokens in order and each token's choices in descending probability.
//
// mlp models learn a teacher: sample i of step t is a width-vector of
// standard normal values drawn by the ziggurat method from
// tensor.NewRNG(Mix(Mix(Mix(seed)^t)^i)) (see [MLPInput]); its target is the output of a fixed random network of the
// same architecture (weights "teacher.layers.N.weight" normal(0,
// sqrt(2/width)), biases normal(0, 0.1), generated under the run's seed);
// the loss is the mean squared error. Every layer but the last applies
// gelu_tanh.
//
// # Parallelism
//
// dp: each data rank runs its micro-batches; REDUCE_GRAD sums the gradient
// buckets over the dp group (all-reduce, or reduce-scatter under ZeRO 1-3:
// once per step, or under ZeRO-3 after every micro-batch's backward, a
// reduce-scatter leaving zeros outside the rank's chunk so that the next
// micro-batch's gradients accumulate onto the reduced sum). ZeRO 1, 2 and
// 3 shard the optimizer update: each dp rank updates its chunk of every
// bucket and ALLGATHER_PARAMS restores whole parameters (after the
// optimizer under ZeRO-1/2, before each forward and each backward of a
// stage under ZeRO-3). Each rank keeps AdamW moments only for the chunks it owns (the
// optimizer state is sharded for real); gradient and parameter buffers stay
// whole-size on every rank, so ZeRO-2/3's communication is real but their
// memory saving is not.
//
// tp: Megatron column/row parallelism: qkv (by heads) and fc1 by columns,
// attn.out and fc2 by rows with an all-reduce of their output; the
// all-reduce of the input gradient of qkv and fc1 in backward. The
// embedding and the head are vocab-parallel (Megatron): tp rank i holds
// rows [i·V/tp, (i+1)·V/tp) of wte (columns of an untied lm_head); it
// looks up the ids of its range for every token (zero rows for the
// others) and an all-reduce sums the partial embeddings, wpe (whole on
// every rank) being added after it; the head gives each rank its
// vocabulary slice of the logits, and the cross-entropy meets over tp in
// three all-reduces of one float per token (row maxima, sums of
// exponentials, target logits); the head's input gradient is all-reduced
// in backward. A tied wte's shard serves both. tp must divide the
// vocabulary. LayerNorms and MoE layers are replicated over tp (every tp
// rank computes them whole). mlp models pair their layers: even layers by
// columns, odd layers by rows (an odd last layer is replicated).
//
// pp: the schedule's F, B, W, SEND/RECV actions (gpipe, 1f1b, interleaved,
// zb-h1, zb-v); under a split backward (zb-h1, zb-v) B computes the input
// gradient and W runs the deferred weight-gradient products. The tied
// embedding lives on the first and the last stage; its two gradients are
// summed (ALLREDUCE_TIED, each tp rank its vocabulary shard) before the
// data-parallel reduction, because with
// ZeRO-2/3 the reduce-scatter would otherwise leave each copy with a
// different stale chunk.
//
// Global-norm clipping: each element of the model is counted exactly once
// (replicated tp copies on tp rank 0, replicated key/value heads on the
// first rank of their kv group, the tied embedding's head copy not at all,
// ZeRO shards by their owner); GRAD_NORM all-reduces the float64 sum
// carried as two float32 (value and remainder).
//
// sp: Megatron sequence parallelism: outside the tp regions each tp rank
// holds a contiguous 1/tp of the micro-batch's token rows; an all-gather
// enters each region and a reduce-scatter leaves it (their adjoints in
// backward): the embedding's partial sums are reduce-scattered (wpe is
// then added to each rank's slice), the head all-gathers ln_f's output
// and reduce-scatters its input gradient. The gradients of the parameters
// applied to token slices (LayerNorms, biases after a reduce-scatter, wpe)
// are all-reduced over tp by the schedule's ALLREDUCE_SEQ action (after
// the stage's gradient buckets, before the norm); wte and lm_head see
// every token, so their shards' gradients are whole. MoE layers run whole on every tp
// rank (all-gather in, slice out).
//
// tp above kv_heads: each key/value head is held by tp/kv_heads
// consecutive tp ranks (a kv group); each computes its copy's gradient
// from its own query heads only, and the schedule's ALLREDUCE_KV action
// sums the copies' gradients (the qkv projection's k and v columns) over
// the kv group once per step, after the stage's gradient buckets, so the
// copies stay bitwise equal and the checkpoint saves either.
//
// ep: the routed experts of each MoE layer are split over the ep group
// (member j holds experts [j·E/ep, (j+1)·E/ep)); each rank routes its own
// tokens, sends each expert's copies to the owner by one all-to-all-v (a
// padding-free message leads with its per-expert row counts; under
// capacity dispatch every message is the destination's padded
// [E/ep, C, h] slab, kept copies first, as DeepSpeed-MoE sends it; under
// rbd, pilot copies as ops_rbd.go describes), the owner runs the experts on the
// concatenated rows, and a second all-to-all-v brings the outputs back for
// the combine; backward mirrors it. Expert gradients
// reduce over the expert-data-parallel group (edp), ZeRO shards them over
// it.
//
// cp: rank c holds chunks c and 2·cp−1−c of 2·cp equal chunks of every
// sequence (ir.CPChunks, cplayout.go: Megatron-LM's load-balanced layout,
// which gives every rank the same causal attention work; one contiguous
// segment when 2·cp does not divide the sequence); attention under each
// cp_mode in ops_attention.go (allgather, lss, ring, ulysses). MoE layers
// are token-local but for the micro-batch-wide auxiliary loss and
// capacity: each rank routes its chunks, and the ranks routing one
// micro-batch (the cp group; under ssmb, the cp×tp ranks) all-gather, for
// each sequence and chunk, their routed copies per expert, plus their
// probability sums;
// an expert's capacity positions then count the copies of every earlier
// token in the micro-batch's order (sequence, position), as serially.
// The dispatch all-to-all runs over the ep group, which may span cp.
//
// Phantom mlp models (ffn_kind = phantom(k, parts)): tp = parts runs one
// part per rank on its columns (one all-gather of ghosts per layer
// forward, one reduce-scatter of their gradients backward), tp = 1 runs
// all parts on one rank. Transformer blocks with phantom FFNs run fc1 and
// fc2 as phantom layers the same way (ops_phantom.go), with one all-gather
// of the output columns (and of the input gradient) to rejoin the
// replicated residual stream; under sp the token rows are gathered before
// (and the gradient's columns after), as the program's conversions say.
//
// ssmb: each tp rank routes, dispatches and combines its contiguous 1/tp
// of the micro-batch's tokens over an ep group that spans tp; the capacity
// positions and the auxiliary loss use counts and probability sums
// all-gathered over tp, so they equal the whole micro-batch's; one
// all-gather restores the sequence (none under sp: the block reads and
// writes the rank's own rows), its adjoint an all-gather of the input
// gradient, and the router's and shared experts' gradients are
// all-reduced over tp.
//
// rbd: see ops_rbd.go.
//
// Not executed (Validate refuses them with an error): normalize_topk, cp
// with mlp models (they have no sequence to split). Under a split backward (zb-h1, zb-v) the
// weight gradients of phantom layers are computed in B, not deferred to W.
//
// # Evaluation
//
// [Eval] returns the mean, over the first N windows, of each window's mean
// next-token cross-entropy, where window w is tokens [w·(seq+1),
// (w+1)·(seq+1)) of the data: its first seq tokens are the input and its
// last seq tokens the targets. It runs serially, one window per forward;
// MoE layers route each window on its own and always padding-free, whatever
// the plan's moe.dispatch says (no capacity, no drops), and the auxiliary
// loss is left out.
package exec
