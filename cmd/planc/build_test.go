package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	osexec "os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"planc"
	"planc/ir"
	"planc/lang"
	"planc/runtime/ckpt"
	"planc/runtime/llvmk"
)

// The trainer binaries of issue 13: built by planc build, run as
// processes over TCP and under mpirun, compared with planc run in this
// process.

// trainerPlans are the 4-rank plans the transports must reproduce:
// tiny_gpt at dp2·tp2 (2 simulated nodes of 2, counted by the plan's
// layout), tiny_moe with 2 experts groups of 2 (dp 4, ep 2: 4 ranks,
// edp 2 × ep 2), and tiny_gpt at pp2·dp2.
var trainerPlans = []struct {
	name string
	args []string
}{
	{"gpt_dp2_tp2", []string{"--set", "dp=2", "--set", "tp=2", "--set", "cluster.per_node=2", "../../examples/tiny_gpt.plan"}},
	{"moe_dp4_ep2", []string{"--set", "dp=4", "--set", "ep=2", "../../examples/tiny_moe.plan"}},
	{"gpt_pp2_dp2", []string{"--set", "pp=2", "--set", "dp=2", "../../examples/tiny_gpt.plan"}},
}

// haveGo skips a test that needs the Go toolchain when it is missing.
func haveGo(t *testing.T) {
	t.Helper()
	if _, err := findGo(); err != nil {
		t.Skip(err)
	}
}

// haveMPI reports whether mpirun and Open MPI's build files are here; on
// a developer machine without them the caller skips, under CI (PLANC_CI=1)
// it fails.
func haveMPI(t *testing.T) bool {
	t.Helper()
	_, err1 := osexec.LookPath("mpirun")
	err2 := osexec.Command("pkg-config", "--exists", "ompi").Run()
	if err1 == nil && err2 == nil {
		return true
	}
	if os.Getenv("PLANC_CI") == "1" {
		t.Fatalf("Open MPI is missing (mpirun: %v, pkg-config ompi: %v); CI installs openmpi-bin libopenmpi-dev", err1, err2)
	}
	t.Logf("skipping the MPI runs: install openmpi-bin and libopenmpi-dev (mpirun: %v, pkg-config ompi: %v)", err1, err2)
	return false
}

// build runs planc build and returns the trainer's path.
func build(t *testing.T, dir, transport string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, "trainer-"+transport)
	var stdout, stderr bytes.Buffer
	if code := runBuild(append([]string{"--transport=" + transport, "-o", out}, args...), &stdout, &stderr); code != exitOK {
		t.Fatalf("planc build %v: exit %d\n%s", args, code, stderr.String())
	}
	return out
}

// runResult is one job's output: rank 0's losses and summary, and every
// rank's exit error and stderr.
type runResult struct {
	losses  []float64
	summary map[string]any
	errs    []error
	stderr  []string
}

// parseJSONLines reads planc run's (and a trainer's) --json lines.
func parseJSONLines(t testing.TB, out string) ([]float64, map[string]any) {
	t.Helper()
	var losses []float64
	var sum map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var v struct {
			Loss    *float64
			Summary map[string]any
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		if v.Loss != nil {
			losses = append(losses, *v.Loss)
		}
		if v.Summary != nil {
			sum = v.Summary
		}
	}
	return losses, sum
}

// inProcess runs planc run --json in this process.
func inProcess(t *testing.T, steps int, args ...string) ([]float64, map[string]any) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := append([]string{"--json", fmt.Sprintf("--steps=%d", steps)}, args...)
	if code := runRun(a, &stdout, &stderr); code != exitOK {
		t.Fatalf("planc run %v: exit %d\n%s", a, code, stderr.String())
	}
	return parseJSONLines(t, stdout.String())
}

func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// job is a trainer job being run: its processes and outputs.
type job struct {
	port   string
	cmds   []*osexec.Cmd
	stdout []*bytes.Buffer
	stderr []*bytes.Buffer
}

// startTCP starts n trainer processes on loopback with torchrun's
// environment; onLine, when set, sees rank 0's stdout lines as they come.
func startTCP(t testing.TB, bin string, n int, token string, args []string, onLine func(string)) *job {
	return startTCPEnv(t, bin, n, token, args, onLine, nil)
}

// startTCPEnv is startTCP with more environment for each rank.
func startTCPEnv(t testing.TB, bin string, n int, token string, args []string, onLine func(string), env func(rank int) []string) *job {
	t.Helper()
	port := freePort(t)
	j := &job{port: port}
	for r := 0; r < n; r++ {
		cmd := osexec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "MASTER_ADDR=127.0.0.1", "MASTER_PORT="+port,
			fmt.Sprintf("WORLD_SIZE=%d", n), fmt.Sprintf("RANK=%d", r), "PLANC_JOB_TOKEN="+token)
		if env != nil {
			cmd.Env = append(cmd.Env, env(r)...)
		}
		var out, errb bytes.Buffer
		cmd.Stderr = &errb
		if r == 0 && onLine != nil {
			pr, pw := io.Pipe()
			cmd.Stdout = pw
			go func() {
				sc := bufio.NewScanner(pr)
				for sc.Scan() {
					out.WriteString(sc.Text() + "\n")
					onLine(sc.Text())
				}
			}()
			t.Cleanup(func() { pw.Close() })
		} else {
			cmd.Stdout = &out
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill() })
		j.cmds = append(j.cmds, cmd)
		j.stdout = append(j.stdout, &out)
		j.stderr = append(j.stderr, &errb)
	}
	return j
}

// wait waits for every process, at most limit, and returns their exit
// errors.
func (j *job) wait(t testing.TB, limit time.Duration) []error {
	t.Helper()
	return j.waitExcept(t, limit, -1)
}

// waitExcept waits for every process but skip, then kills skip (a
// stopped process; -1: none) and returns the exit errors.
func (j *job) waitExcept(t testing.TB, limit time.Duration, skip int) []error {
	t.Helper()
	errs := make([]error, len(j.cmds))
	var wg sync.WaitGroup
	for i, c := range j.cmds {
		if i == skip {
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = c.Wait() }()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		for _, c := range j.cmds {
			c.Process.Kill()
		}
		<-done
		t.Fatalf("the job's processes ran longer than %v", limit)
	}
	if skip >= 0 {
		j.cmds[skip].Process.Kill()
		errs[skip] = j.cmds[skip].Wait()
	}
	time.Sleep(10 * time.Millisecond) // rank 0's piped output
	return errs
}

func (j *job) result(t testing.TB, errs []error) runResult {
	t.Helper()
	var res runResult
	res.errs = errs
	for _, e := range j.stderr {
		res.stderr = append(res.stderr, e.String())
	}
	if strings.TrimSpace(j.stdout[0].String()) == "" {
		t.Fatalf("rank 0 printed nothing (exit %v); stderr: %q", errs[0], res.stderr)
	}
	res.losses, res.summary = parseJSONLines(t, j.stdout[0].String())
	return res
}

// runTCPJob runs a whole TCP job and fails on any rank's error.
func runTCPJob(t *testing.T, bin string, n int, args ...string) runResult {
	t.Helper()
	j := startTCP(t, bin, n, "test-token", args, nil)
	errs := j.wait(t, 5*time.Minute)
	res := j.result(t, errs)
	for r, err := range errs {
		if err != nil {
			t.Fatalf("tcp rank %d: %v\n%s", r, err, res.stderr[r])
		}
	}
	return res
}

// mpiEnv is the environment of mpirun in the tests: Open MPI's shared-memory
// transport copies between processes with process_vm_readv by default,
// which containers often forbid (ptrace); the tests do not need it.
func mpiEnv() []string {
	env := os.Environ()
	if os.Getenv("OMPI_MCA_btl_vader_single_copy_mechanism") == "" {
		env = append(env, "OMPI_MCA_btl_vader_single_copy_mechanism=none")
	}
	return env
}

// runMPIJob runs mpirun --oversubscribe -np n bin args.
func runMPIJob(t testing.TB, bin string, n int, args ...string) (runResult, error) {
	t.Helper()
	a := []string{"--oversubscribe", "-np", fmt.Sprint(n)}
	if os.Geteuid() == 0 {
		a = append(a, "--allow-run-as-root")
	}
	cmd := osexec.Command("mpirun", append(append(a, bin), args...)...)
	cmd.Env = mpiEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := runResult{stderr: []string{errb.String()}}
	if err == nil {
		if strings.TrimSpace(out.String()) == "" {
			t.Fatalf("mpirun %v exited 0 without output; stderr:\n%s", args, errb.String())
		}
		res.losses, res.summary = parseJSONLines(t, out.String())
	}
	return res, err
}

func sameLosses(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: losses differ from planc run's:\n got %v\nwant %v", what, got, want)
	}
}

func sameBytes(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for _, k := range []string{"bytes_intra_node", "bytes_inter_node"} {
		if got[k] != want[k] {
			t.Errorf("%s: %s = %v, planc run %v", what, k, got[k], want[k])
		}
	}
	// And kind by kind (tp, dp, ep, pp, ...).
	gk, _ := got["by_kind"].(map[string]any)
	wk, _ := want["by_kind"].(map[string]any)
	if len(wk) == 0 || len(gk) != len(wk) {
		t.Errorf("%s: bytes by kind %v, planc run %v", what, gk, wk)
	}
	for kind, w := range wk {
		g, _ := gk[kind].(map[string]any)
		for _, k := range []string{"bytes_intra_node", "bytes_inter_node"} {
			if g[k] != w.(map[string]any)[k] {
				t.Errorf("%s: %s %s = %v, planc run %v", what, kind, k, g[k], w.(map[string]any)[k])
			}
		}
	}
}

// TestTrainerMatchesRun: the 4-rank plans give planc run's losses bit for
// bit, and its byte counters, over 20 steps under the TCP transport (4
// processes on loopback) and under mpirun --oversubscribe -np 4.
func TestTrainerMatchesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds trainers and runs 4-process jobs")
	}
	haveGo(t)
	mpi := haveMPI(t)
	const steps = 20
	for _, pl := range trainerPlans {
		t.Run(pl.name, func(t *testing.T) {
			dir := t.TempDir()
			want, wantSum := inProcess(t, steps, pl.args...)
			if len(want) != steps {
				t.Fatalf("planc run gave %d losses", len(want))
			}
			args := []string{"--json", fmt.Sprintf("--steps=%d", steps), "--layout=plan", "--timeout=60s"}
			bin := build(t, dir, "tcp", pl.args...)
			desc, err := osexec.Command(bin, "--describe").Output()
			if err != nil {
				t.Fatal(err)
			}
			var overrides []string
			for i := 0; i+1 < len(pl.args); i += 2 {
				overrides = append(overrides, pl.args[i+1])
			}
			describedPlanParses(t, string(desc), append(overrides, pl.args[len(pl.args)-1])...)
			tcp := runTCPJob(t, bin, 4, args...)
			sameLosses(t, "tcp", tcp.losses, want)
			sameBytes(t, "tcp", tcp.summary, wantSum)
			if !mpi {
				return
			}
			res, err := runMPIJob(t, build(t, dir, "mpi", pl.args...), 4, args...)
			if err != nil {
				t.Fatalf("mpirun: %v\n%s", err, res.stderr[0])
			}
			sameLosses(t, "mpi", res.losses, want)
			sameBytes(t, "mpi", res.summary, wantSum)
		})
	}
}

// TestTrainerRefusesOtherLayouts: a job of another world size, or whose
// ranks share nodes otherwise than the plan says, is refused clearly; one
// whose LOCAL_RANKs (torchrun's) give the plan's nodes runs.
func TestTrainerRefusesOtherLayouts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a trainer")
	}
	haveGo(t)
	bin := build(t, t.TempDir(), "tcp", trainerPlans[0].args...)
	j := startTCP(t, bin, 2, "tok", []string{"--steps=1"}, nil)
	errs := j.wait(t, time.Minute)
	for r, err := range errs {
		if err == nil || !strings.Contains(j.stderr[r].String(), "runs on 4 ranks") || !strings.Contains(j.stderr[r].String(), "the job has 2") {
			t.Errorf("rank %d of 2: err %v, stderr %q; want a refusal naming 4 and 2 ranks", r, err, j.stderr[r].String())
		}
	}
	// torchrun's LOCAL_RANK says 2 machines of 2 ranks, as the plan does:
	// the job runs.
	j = startTCPEnv(t, bin, 4, "tok", []string{"--steps=1", "--timeout=20s"}, nil, func(r int) []string {
		return []string{fmt.Sprintf("LOCAL_RANK=%d", r%2)}
	})
	for r, err := range j.wait(t, time.Minute) {
		if err != nil {
			t.Errorf("rank %d with LOCAL_RANK=%d: %v\n%s", r, r%2, err, j.stderr[r].String())
		}
	}
	// All 4 ranks on this machine, but the plan puts 2 to a node.
	j = startTCP(t, bin, 4, "tok", []string{"--steps=1", "--timeout=20s"}, nil)
	errs = j.wait(t, time.Minute)
	for r, err := range errs {
		if err == nil || !strings.Contains(j.stderr[r].String(), "ranks sit on nodes [0 0 0 0]") || !strings.Contains(j.stderr[r].String(), "puts them on [0 0 1 1]") {
			t.Errorf("rank %d: err %v, stderr %q; want the layout refused", r, err, j.stderr[r].String())
		}
	}
}

// TestTrainerWrongToken: a process with another token is refused and
// logged by the coordinator, and the job trains on, with planc run's
// losses.
func TestTrainerWrongToken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a trainer and runs a 4-process job")
	}
	haveGo(t)
	pl := trainerPlans[2]
	bin := build(t, t.TempDir(), "tcp", pl.args...)
	const steps = 12 // long enough that the intruder comes during the job
	want, _ := inProcess(t, steps, pl.args...)
	var once sync.Once
	stepped := make(chan struct{})
	j := startTCP(t, bin, 4, "right-token", []string{"--json", fmt.Sprintf("--steps=%d", steps)}, func(string) {
		once.Do(func() { close(stepped) })
	})
	<-stepped
	// During the job: a process dials rank 0's coordinator as rank 1 with
	// a wrong token.
	intruder := osexec.Command(bin, "--steps=1", "--timeout=10s")
	intruder.Env = append(os.Environ(), "PLANC_JOB_TOKEN=wrong-token", "RANK=1", "WORLD_SIZE=4", "MASTER_ADDR=127.0.0.1", "MASTER_PORT="+j.port)
	var intruderErr bytes.Buffer
	intruder.Stderr = &intruderErr
	ierr := intruder.Run()
	errs := j.wait(t, 5*time.Minute)
	res := j.result(t, errs)
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d failed: %v\n%s", r, err, res.stderr[r])
		}
	}
	if ierr == nil || !strings.Contains(intruderErr.String(), "refused") {
		t.Errorf("the intruder: err %v, stderr %q; want it refused", ierr, intruderErr.String())
	}
	if !strings.Contains(res.stderr[0], "wrong job token (claimed rank 1)") {
		t.Errorf("rank 0 did not log the refusal: %q", res.stderr[0])
	}
	sameLosses(t, "tcp with an intruder", res.losses, want)
}

// TestTrainerSurvivesAFailedRank: kill -9 of one rank at a random step,
// or stopping it (SIGSTOP: a hung rank), makes every other rank exit
// non-zero within the timeout (plus the few seconds of asking who is
// missing, for a hung one), naming the failed rank and the action it
// waited on; every checkpoint written is whole; resuming from the folder
// on another transport (MPI, or in-process without it) continues with the
// uninterrupted run's losses.
func TestTrainerSurvivesAFailedRank(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a trainer and runs 4-process jobs")
	}
	haveGo(t)
	mpi := haveMPI(t)
	for _, tc := range []struct {
		name  string
		sig   syscall.Signal
		named string // how the others name the failed rank
		slack time.Duration
	}{
		{"kill -9", syscall.SIGKILL, "rank %d is gone", 5 * time.Second},
		{"hung (SIGSTOP)", syscall.SIGSTOP, "rank %d does not answer", 15 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) { survive(t, mpi, tc.sig, tc.named, tc.slack) })
	}
}

func survive(t *testing.T, mpi bool, sig syscall.Signal, named string, slack time.Duration) {
	pl := trainerPlans[0]
	dir := t.TempDir()
	ckptDir := filepath.Join(dir, "ckpt")
	args := append([]string{"--set", "train.checkpoint_every=2"}, pl.args...)
	bin := build(t, dir, "tcp", args...)
	const steps = 20
	want, _ := inProcess(t, steps, args...)
	killStep := 3 + rand.IntN(12)
	victim := 1 + rand.IntN(3)
	const timeout = 5 * time.Second
	var j *job
	killed := make(chan time.Time, 1)
	j = startTCP(t, bin, 4, "tok", []string{"--json", fmt.Sprintf("--steps=%d", steps), "--layout=plan",
		"--timeout=" + timeout.String(), "--checkpoint-dir=" + ckptDir}, func(line string) {
		if strings.Contains(line, fmt.Sprintf(`"step":%d,`, killStep)) {
			j.cmds[victim].Process.Signal(sig)
			killed <- time.Now()
		}
	})
	errs := j.waitExcept(t, 2*time.Minute, victim)
	var at time.Time
	select {
	case at = <-killed:
	default:
		t.Fatalf("the job ended before step %d", killStep)
	}
	t.Logf("sent signal %q to rank %d after step %d; the others exited within %v", sig, victim, killStep, time.Since(at))
	for r := range j.stderr {
		if r != victim {
			t.Logf("rank %d: %s", r, j.stderr[r])
		}
	}
	if d := time.Since(at); d > timeout+slack {
		t.Errorf("the other ranks took %v to exit, more than the timeout %v", d, timeout)
	}
	for r, err := range errs {
		if r == victim {
			continue
		}
		msg := j.stderr[r].String()
		if err == nil {
			t.Errorf("rank %d exited 0 after rank %d was killed", r, victim)
		}
		// The rank named and the action (below) are the contract; whether a
		// survivor found the loss waiting for a read or failing a write
		// (broken pipe) is the operating system's timing.
		if !strings.Contains(msg, fmt.Sprintf(named, victim)) {
			t.Errorf("rank %d's error does not name rank %d: %q\nall ranks' errors: %q", r, victim, msg, j.stderr)
		}
		if !strings.Contains(msg, "step ") {
			t.Errorf("rank %d's error does not name its step and action: %q", r, msg)
		}
	}
	// Every checkpoint is whole; the last is the latest step reached.
	names, _ := filepath.Glob(filepath.Join(ckptDir, "*"))
	if len(names) == 0 {
		t.Fatal("no checkpoint written")
	}
	for _, n := range names {
		if strings.HasPrefix(filepath.Base(n), ".") {
			t.Errorf("a temporary file was left: %s", n)
			continue
		}
		if _, err := ckpt.Read(n); err != nil {
			t.Errorf("checkpoint %s: %v", n, err)
		}
	}
	last, _ := ckpt.Read(names[len(names)-1])
	var from int
	fmt.Sscan(last.Meta["step"], &from)
	resume := []string{"--json", fmt.Sprintf("--steps=%d", steps), "--resume=" + ckptDir, "--layout=plan"}
	var got []float64
	if mpi {
		res, err := runMPIJob(t, build(t, dir, "mpi", args...), 4, resume...)
		if err != nil {
			t.Fatalf("resume under mpirun: %v\n%s", err, res.stderr[0])
		}
		got = res.losses
	} else {
		cmd := osexec.Command(bin, append(resume, "--transport=inproc")...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("resume in-process: %v", err)
		}
		got, _ = parseJSONLines(t, string(out))
	}
	sameLosses(t, fmt.Sprintf("resumed at step %d", from), got, want[from:])
}

// TestTrainerSurvivesKillUnderMPI: kill -9 of one rank of an mpirun job at
// a random step: mpirun names the dead rank and stops the others at once,
// each saying what it was waiting for; every checkpoint is whole; the job
// resumes on TCP (another transport) with the uninterrupted run's losses.
func TestTrainerSurvivesKillUnderMPI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds trainers and runs 4-process jobs")
	}
	haveGo(t)
	if !haveMPI(t) {
		t.Skip("no Open MPI")
	}
	pl := trainerPlans[0]
	dir := t.TempDir()
	ckptDir := filepath.Join(dir, "ckpt")
	args := append([]string{"--set", "train.checkpoint_every=2"}, pl.args...)
	bin := build(t, dir, "mpi", args...)
	const steps = 20
	want, _ := inProcess(t, steps, args...)
	killStep := 3 + rand.IntN(12)
	victim := 1 + rand.IntN(3)
	a := []string{"--oversubscribe", "-np", "4"}
	if os.Geteuid() == 0 {
		a = append(a, "--allow-run-as-root")
	}
	cmd := osexec.Command("mpirun", append(a, bin, "--json", fmt.Sprintf("--steps=%d", steps), "--layout=plan",
		"--timeout=5s", "--checkpoint-dir="+ckptDir)...)
	cmd.Env = mpiEnv()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	var at time.Time
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if at.IsZero() && strings.Contains(sc.Text(), fmt.Sprintf(`"step":%d,`, killStep)) {
			pid := mpiRankPID(t, bin, victim)
			syscall.Kill(pid, syscall.SIGKILL)
			at = time.Now()
		}
	}
	err = cmd.Wait()
	if at.IsZero() {
		t.Fatalf("the job ended before step %d: %v\n%s", killStep, err, errb.String())
	}
	t.Logf("killed rank %d after step %d; mpirun exited %v later: %v\n%s", victim, killStep, time.Since(at), err, errb.String())
	if err == nil {
		t.Errorf("mpirun exited 0 after rank %d was killed", victim)
	}
	if d := time.Since(at); d > 10*time.Second {
		t.Errorf("the job took %v to end after the kill", d)
	}
	if msg := errb.String(); !strings.Contains(msg, fmt.Sprintf("process rank %d", victim)) || !strings.Contains(msg, "waiting for") {
		t.Errorf("the job's errors do not name rank %d and what the others waited for:\n%s", victim, msg)
	}
	names, _ := filepath.Glob(filepath.Join(ckptDir, "*"))
	if len(names) == 0 {
		t.Fatal("no checkpoint written")
	}
	for _, n := range names {
		if _, err := ckpt.Read(n); err != nil || strings.HasPrefix(filepath.Base(n), ".") {
			t.Errorf("checkpoint %s: %v", n, err)
		}
	}
	last, _ := ckpt.Read(names[len(names)-1])
	var from int
	fmt.Sscan(last.Meta["step"], &from)
	res := runTCPJob(t, build(t, dir, "tcp", args...), 4, "--json", fmt.Sprintf("--steps=%d", steps), "--resume="+ckptDir, "--layout=plan")
	sameLosses(t, fmt.Sprintf("resumed on TCP at step %d", from), res.losses, want[from:])
}

// mpiRankPID finds the process of bin that MPI started as rank.
func mpiRankPID(t *testing.T, bin string, rank int) int {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		cmdline, err := os.ReadFile(p + "/cmdline")
		if err != nil || !bytes.HasPrefix(cmdline, []byte(bin+"\x00")) {
			continue
		}
		env, _ := os.ReadFile(p + "/environ")
		if bytes.Contains(env, []byte(fmt.Sprintf("\x00OMPI_COMM_WORLD_RANK=%d\x00", rank))) {
			var pid int
			fmt.Sscan(filepath.Base(p), &pid)
			return pid
		}
	}
	t.Fatalf("no process of %s is MPI rank %d", bin, rank)
	return 0
}

// TestTrainerOnCleanMachine: tiny_gpt's trainer, copied alone to an empty
// folder and run without planc, the plan files or a Go toolchain on PATH,
// trains on the given data with planc run's losses.
func TestTrainerOnCleanMachine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a trainer")
	}
	haveGo(t)
	bin := build(t, t.TempDir(), "tcp", "../../examples/tiny_gpt.plan")
	clean := t.TempDir()
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	trainer := filepath.Join(clean, "trainer")
	os.WriteFile(trainer, b, 0o755)
	text := strings.Repeat("the quick brown fox jumps over the lazy dog. ", 200)
	os.WriteFile(filepath.Join(clean, "input.txt"), []byte(text), 0o644)
	cmd := osexec.Command(trainer, "--data", "input.txt", "--steps", "3", "--json")
	cmd.Dir, cmd.Env = clean, []string{"PATH=/nonexistent", "HOME=" + clean}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the trainer on a clean folder: %v\n%s", err, out)
	}
	got, sum := parseJSONLines(t, string(out))
	want, _ := inProcess(t, 3, "--data", filepath.Join(clean, "input.txt"), "../../examples/tiny_gpt.plan")
	sameLosses(t, "clean machine", got, want)
	if sum["ranks"] != 1.0 {
		t.Errorf("summary %v", sum)
	}
	cmd = osexec.Command(trainer, "--describe")
	cmd.Dir, cmd.Env = clean, []string{"PATH=/nonexistent"}
	out, err = cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "plan tiny_gpt_serial {") || !strings.Contains(string(out), "fingerprint") {
		t.Errorf("--describe: %v\n%s", err, out)
	}
	describedPlanParses(t, string(out), "../../examples/tiny_gpt.plan")
}

// describedPlanParses checks that the plan a trainer's --describe prints
// is plan source that checks and has the fingerprint of the plan it was
// built from.
func describedPlanParses(t *testing.T, out string, args ...string) {
	t.Helper()
	src, _, ok := strings.Cut(out, "// The schedule")
	if !ok {
		t.Fatalf("--describe has no schedule section:\n%s", out)
	}
	path := filepath.Join(t.TempDir(), "described.plan")
	os.WriteFile(path, []byte(src), 0o644)
	prog, diags := lang.Load([]string{path}, lang.Options{})
	if diags.HasErrors() {
		t.Fatalf("the described plan does not check: %v\n%s", diags, src)
	}
	want, wdiags := lang.Load(args[len(args)-1:], lang.Options{Overrides: args[:len(args)-1]})
	if wdiags.HasErrors() || len(prog.Plans) != 1 {
		t.Fatalf("%v %v", wdiags, prog.Plans)
	}
	if got, w := ir.PlanFingerprint(prog.Plans[0]), ir.PlanFingerprint(want.Plans[0]); got != w {
		t.Errorf("the described plan's fingerprint %s, the source's %s:\n%s", got, w, src)
	}
}

// TestSourceHoldsTheTrainersPackages: package planc's embedded source
// holds every package the trainer imports (with and without MPI).
func TestSourceHoldsTheTrainersPackages(t *testing.T) {
	haveGo(t)
	goTool, _ := findGo()
	for _, tags := range []string{"", "planc_mpi", "planc_llvm,planc_mpi"} {
		out, err := osexec.Command(goTool, "list", "-tags", tags, "-deps", "-f", "{{if not .Standard}}{{.ImportPath}} {{join .GoFiles \" \"}} {{join .CgoFiles \" \"}} {{join .SFiles \" \"}} {{join .EmbedFiles \" \"}}{{end}}", "planc/runtime/trainer").Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(l)
			if !strings.HasPrefix(f[0], "planc/") {
				continue // a module dependency: the module cache has it (llvm kernels only)
			}
			dir := strings.TrimPrefix(f[0], "planc/")
			for _, file := range f[1:] {
				if _, err := planc.Source.Open(dir + "/" + file); err != nil {
					t.Errorf("tags %q: package %s's %s is not in planc.Source (source.go's go:embed lines)", tags, f[0], file)
				}
			}
		}
	}
}

// BenchmarkTransports trains dp2 tiny_gpt for 10 steps per iteration with
// the same trainer binary on the three transports (every rank in one
// process, 2 processes over TCP on loopback, mpirun -np 2) and reports
// each run's tokens/s, side by side:
//
//	go test -run '^$' -bench Transports ./cmd/planc
func BenchmarkTransports(b *testing.B) {
	if _, err := findGo(); err != nil {
		b.Skip(err)
	}
	dir := b.TempDir()
	args := []string{"--set", "dp=2", "../../examples/tiny_gpt.plan"}
	mpi := osexec.Command("pkg-config", "--exists", "ompi").Run() == nil
	transport := "tcp"
	if mpi {
		transport = "mpi"
	}
	out := filepath.Join(dir, "trainer")
	var stderr bytes.Buffer
	if code := runBuild(append([]string{"--transport=" + transport, "-o", out}, args...), io.Discard, &stderr); code != exitOK {
		b.Fatalf("planc build: %s", stderr.String())
	}
	run := []string{"--json", "--steps=10"}
	tokensPerS := func(b *testing.B, sum map[string]any) {
		if v, ok := sum["tokens_per_s"].(float64); ok {
			b.ReportMetric(v, "tokens/s")
		} else {
			b.Fatalf("no tokens_per_s in %v", sum)
		}
	}
	b.Run("inproc", func(b *testing.B) {
		for b.Loop() {
			o, err := osexec.Command(out, append(run, "--transport=inproc")...).Output()
			if err != nil {
				b.Fatal(err)
			}
			_, sum := parseJSONLines(b, string(o))
			tokensPerS(b, sum)
		}
	})
	b.Run("tcp", func(b *testing.B) {
		for b.Loop() {
			j := startTCP(b, out, 2, "bench", append(run, "--transport=tcp"), nil)
			errs := j.wait(b, 5*time.Minute)
			for _, err := range errs {
				if err != nil {
					b.Fatal(err, j.stderr)
				}
			}
			_, sum := parseJSONLines(b, j.stdout[0].String())
			tokensPerS(b, sum)
		}
	})
	b.Run("mpi", func(b *testing.B) {
		if !mpi {
			b.Skip("Open MPI is not installed")
		}
		for b.Loop() {
			res, err := runMPIJob(b, out, 2, run...)
			if err != nil {
				b.Fatal(err, res.stderr)
			}
			tokensPerS(b, res.summary)
		}
	})
}

// TestTrainerLLVM: a --kernels=llvm trainer embeds the plan's host kernels
// compiled ahead of time; copied alone to an empty folder and run with no
// LLVM tool (PATH=/nonexistent), it gives planc run --kernels=llvm's
// losses. Without -tags planc_llvm planc build refuses, saying why.
func TestTrainerLLVM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a trainer")
	}
	haveGo(t)
	var stdout, stderr bytes.Buffer
	out := filepath.Join(t.TempDir(), "trainer")
	code := runBuild([]string{"--kernels=llvm", "-o", out, "../../examples/tiny_gpt.plan"}, &stdout, &stderr)
	if !llvmk.Available {
		if code != exitError || !strings.Contains(stderr.String(), "planc built with -tags planc_llvm") {
			t.Fatalf("planc build --kernels=llvm without the tag: exit %d, %q", code, stderr.String())
		}
		return
	}
	if code != exitOK {
		if os.Getenv("PLANC_CI") == "" && (strings.Contains(stderr.String(), "llc not found") || strings.Contains(stderr.String(), "the CPU lacks") || strings.Contains(stderr.String(), "module cache")) {
			t.Skip(stderr.String())
		}
		t.Fatalf("planc build --kernels=llvm: exit %d\n%s", code, stderr.String())
	}
	clean := t.TempDir()
	b, _ := os.ReadFile(out)
	trainer := filepath.Join(clean, "trainer")
	os.WriteFile(trainer, b, 0o755)
	cmd := osexec.Command(trainer, "--steps", "3", "--json")
	cmd.Dir, cmd.Env = clean, []string{"PATH=/nonexistent", "HOME=" + clean}
	o, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the llvm trainer on a clean folder: %v\n%s", err, o)
	}
	got, sum := parseJSONLines(t, string(o))
	want, _ := inProcess(t, 3, "--kernels=llvm", "../../examples/tiny_gpt.plan")
	sameLosses(t, "llvm trainer", got, want)
	if sum["kernels"] != "llvm" {
		t.Errorf("summary %v", sum)
	}
}
