// Drives `dlvx dap` and headless dlvx over TCP with the DAP client of VS Code's own adapter
// tests. Run by `go test ./cmd/dlvx -run TestDAPWithVSCodeClient`, which
// builds dlvx and the fixtures and passes, in the environment:
//   DLVX            the dlvx binary
//   WORKER_BIN      _fixtures/worker built with -gcflags=all=-N -l
//   WORKER_SRC      the worker's main.go
//   WORK_BODY_LINE  the line marked "dlvx:mark work-body" in it
//   WORKER_OPT_BIN  the worker built with optimizations (doctor: BP-OPT)
//   STRIPPED_BIN    the worker built with -ldflags=-s -w
//   TRIM_BIN        _fixtures/breakcases built with -trimpath and -N -l
//   TRIM_SRC        its main.go
//   LOOP_CALL_LINE  the line marked "dlvx:mark loop-call" in it
//   SPIN_BIN        _fixtures/spin built with -N -l
'use strict';

const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');
const { env, startProcess, startDAP, exitOf, outputsOf, assertDoctorSaid, launchOnly } = require('./client.js');

const DLVX = env('DLVX');
const WORKER_BIN = env('WORKER_BIN');
const WORKER_SRC = env('WORKER_SRC');
const WORK_BODY_LINE = Number(env('WORK_BODY_LINE'));
const WORKER_OPT_BIN = env('WORKER_OPT_BIN');
const STRIPPED_BIN = env('STRIPPED_BIN');
const TRIM_BIN = env('TRIM_BIN');
const TRIM_SRC = env('TRIM_SRC');
const LOOP_CALL_LINE = Number(env('LOOP_CALL_LINE'));
const SPIN_BIN = env('SPIN_BIN');

test('launch a fixture and stop at a file:line breakpoint', { timeout: 90_000 }, async (t) => {
  const { dc, srv } = await startDAP(t);
  const location = { path: WORKER_SRC, line: WORK_BODY_LINE };
  await dc.hitBreakpoint({ mode: 'exec', program: WORKER_BIN, args: ['-n', '3'] }, location);
  const threads = await dc.threadsRequest();
  assert.ok(threads.body.threads.length > 0, 'no threads while stopped');
  await dc.disconnectRequest({ terminateDebuggee: true });
  assert.strictEqual(await exitOf(srv.proc), 0, `dlvx dap failed:\n${srv.stderr()}`);
});

test('attach to a running fixture; disconnect leaves it running without breakpoints', { timeout: 90_000 }, async (t) => {
  // Long enough to attach and stop; short enough for the test.
  const target = await startProcess(WORKER_BIN, ['-n', '400', '-pause', '10ms'], /^ready (\d+)$/);
  t.after(() => target.proc.kill());
  const { dc, srv } = await startDAP(t);

  await dc.initializeRequest();
  const initialized = dc.waitForEvent('initialized');
  await dc.attachRequest({ mode: 'local', processId: Number(target.match[1]) });
  await initialized;
  const bps = await dc.setBreakpointsRequest({
    source: { path: WORKER_SRC }, breakpoints: [{ line: WORK_BODY_LINE }],
  });
  assert.ok(bps.body.breakpoints[0].verified, `breakpoint not verified: ${bps.body.breakpoints[0].message}`);
  const stopped = dc.assertStoppedLocation('breakpoint', { path: WORKER_SRC, line: WORK_BODY_LINE });
  await dc.configurationDoneRequest();
  await stopped;

  await dc.disconnectRequest({});
  assert.strictEqual(await exitOf(srv.proc), 0, `dlvx dap failed:\n${srv.stderr()}`);
  // A breakpoint left in the target would kill it with SIGTRAP.
  assert.strictEqual(await exitOf(target.proc), 0, 'target did not finish normally');
  assert.match(target.lines[target.lines.length - 1], /^done \d+$/);
});

test('-trimpath: the unverified breakpoint carries the substitutePath rule that makes it bind', { timeout: 90_000 }, async (t) => {
  let rule;
  {
    const { dc, srv } = await startDAP(t);
    const outs = outputsOf(dc);
    await launchOnly(dc, { mode: 'exec', program: TRIM_BIN });
    assertDoctorSaid(outs, ['BP-TRIMPATH']);
    const bps = await dc.setBreakpointsRequest({ source: { path: TRIM_SRC }, breakpoints: [{ line: LOOP_CALL_LINE }] });
    const bp = bps.body.breakpoints[0];
    assert.strictEqual(bp.verified, false, 'the editor path bound in a -trimpath binary');
    assert.match(bp.message, /^dlvx: BP-PATH: /);
    assert.match(bp.message, /could not find file/, "Delve's own message is gone");
    const m = bp.message.match(/"substitutePath": (\[.*\])/);
    assert.ok(m, `no substitutePath to paste in: ${bp.message}`);
    rule = JSON.parse(m[1]);
    await dc.disconnectRequest({ terminateDebuggee: true });
    assert.strictEqual(await exitOf(srv.proc), 0, `dlvx dap failed:\n${srv.stderr()}`);
  }
  const { dc, srv } = await startDAP(t);
  const location = { path: TRIM_SRC, line: LOOP_CALL_LINE };
  await dc.hitBreakpoint({ mode: 'exec', program: TRIM_BIN, substitutePath: rule }, location);
  await dc.disconnectRequest({ terminateDebuggee: true });
  assert.strictEqual(await exitOf(srv.proc), 0, `dlvx dap failed:\n${srv.stderr()}`);
});

test('a stripped binary: the launch and the breakpoint say so', { timeout: 90_000 }, async (t) => {
  const { dc, srv } = await startDAP(t);
  const outs = outputsOf(dc);
  await launchOnly(dc, { mode: 'exec', program: STRIPPED_BIN });
  assertDoctorSaid(outs, ['BP-NODWARF']);
  const bps = await dc.setBreakpointsRequest({ source: { path: WORKER_SRC }, breakpoints: [{ line: WORK_BODY_LINE }] });
  const bp = bps.body.breakpoints[0];
  assert.strictEqual(bp.verified, false);
  assert.match(bp.message, /^dlvx: BP-NODWARF: binary has no DWARF/);
  assert.match(bp.message, /binary is stripped$/, "Delve's own message is not last");
  await dc.disconnectRequest({ terminateDebuggee: true });
  assert.strictEqual(await exitOf(srv.proc), 0, `dlvx dap failed:\n${srv.stderr()}`);
});

// checkPreemptedFrame checks, at a stop at preempt:entry, that the
// preempted frame is at the preempted PC and shows that PC's line, and
// returns the frame.
async function checkPreemptedFrame(dc, threadId) {
  const frames = (await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 2 })).body.stackFrames;
  assert.strictEqual(frames[0].name, 'runtime.asyncPreempt');
  // The signal handler pushed the preempted PC at 0(SP) before "calling"
  // runtime.asyncPreempt: read it with a watch expression.
  const scopes = (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes;
  const regScope = scopes.find((s) => s.name === 'Registers');
  assert.ok(regScope, `no Registers scope: ${JSON.stringify(scopes)}`);
  const regs = (await dc.variablesRequest({ variablesReference: regScope.variablesReference })).body.variables;
  const rsp = regs.find((r) => r.name.trim() === 'rsp');
  assert.ok(rsp, 'no rsp register');
  const ev = await dc.evaluateRequest({ expression: `*(*uint64)(${BigInt(rsp.value)})`, frameId: frames[0].id, context: 'watch' });
  const pc = BigInt(ev.body.result.split(' ')[0]); // "5052951 = 0x4d1a17"
  assert.strictEqual(BigInt(frames[1].instructionPointerReference), pc, 'frame 1 is not at the preempted PC');
  const dis = await dc.disassembleRequest({ memoryReference: `0x${pc.toString(16)}`, instructionCount: 1 });
  const want = dis.body.instructions[0].line;
  assert.ok(want > 0, `no line for the preempted PC: ${JSON.stringify(dis.body.instructions[0])}`);
  assert.strictEqual(frames[1].line, want, `preempted frame ${frames[1].name} shows line ${frames[1].line}, its PC ${pc} is line ${want}`);
  return frames[1];
}

// Without patch 0004 the preempted frame showed the line of PC-1, wrong in
// about one stop in five with this fixture: 20 stops catch that.
test('preempt:entry stops with the preempted frame at the preempted line', { timeout: 90_000, skip: process.arch !== 'x64' && 'the preempted PC is read at 0(SP) on amd64' }, async (t) => {
  const { dc, srv } = await startDAP(t);
  await launchOnly(dc, { mode: 'exec', program: SPIN_BIN, args: ['-workers', '1'], showRegisters: true });
  const bps = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'preempt:entry' }] });
  assert.ok(bps.body.breakpoints[0].verified, `preempt:entry: ${bps.body.breakpoints[0].message}`);
  let stopped = dc.waitForEvent('stopped');
  await dc.configurationDoneRequest();
  let inSpin = 0;
  for (let i = 0; i < 20; i++) {
    const threadId = (await stopped).body.threadId;
    const frame = await checkPreemptedFrame(dc, threadId);
    if (frame.name === 'main.spin') inSpin++;
    stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId });
  }
  await stopped;
  assert.ok(inSpin > 0, 'no stop preempted main.spin');
  await dc.disconnectRequest({ terminateDebuggee: true });
  assert.strictEqual(await exitOf(srv.proc), 0, `dlvx dap failed:\n${srv.stderr()}`);
});

test('attach: the preflight and the doctor report on the running process', { timeout: 90_000 }, async (t) => {
  // A process whose executable was deleted after it started (a rebuild):
  // the preflight warns, the doctor reads the code through /proc/PID/exe.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlvx-attach-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const exe = path.join(dir, 'worker');
  fs.copyFileSync(WORKER_OPT_BIN, exe);
  fs.chmodSync(exe, 0o755);
  const target = await startProcess(exe, ['-n', '400', '-pause', '10ms'], /^ready (\d+)$/);
  t.after(() => target.proc.kill());
  fs.unlinkSync(exe);
  const { dc, srv } = await startDAP(t);
  const outs = outputsOf(dc);
  const initialized = dc.waitForEvent('initialized');
  await dc.initializeRequest();
  await dc.attachRequest({ mode: 'local', processId: Number(target.match[1]) });
  await initialized;
  assertDoctorSaid(outs, ['AT-EXEDEL', 'BP-OPT']);
  // The optimized build inlined work into every caller: the verdict,
  // read from the running executable, says so before Delve's text.
  const bps = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main.work' }] });
  const bp = bps.body.breakpoints[0];
  assert.strictEqual(bp.verified, false, 'main.work bound in a build that inlines it');
  assert.match(bp.message, /^dlvx: BP-FUNCNAME-REMOVED: /);
  assert.match(bp.message, /location "main.work" not found$/);
  await dc.configurationDoneRequest();
  await dc.disconnectRequest({});
  assert.strictEqual(await exitOf(srv.proc), 0, `dlvx dap failed:\n${srv.stderr()}`);
  // That it finishes normally is the test above; here, that it runs on.
  assert.strictEqual(target.proc.exitCode, null, 'the target ended with the session');
});

test('headless: a remote attach binds and stops; the doctor examined the served binary', { timeout: 90_000 }, async (t) => {
  const srv = await startProcess(DLVX, ['exec', WORKER_OPT_BIN, '--headless', '--accept-multiclient', '--listen', '127.0.0.1:0', '--', '-n', '400', '-pause', '10ms'],
    /API server listening at: 127\.0\.0\.1:(\d+)/);
  t.after(() => srv.proc.kill());
  const dc = new DebugClient('unused', 'unused', 'go');
  await dc.start(Number(srv.match[1]));
  const outs = outputsOf(dc);
  const initialized = dc.waitForEvent('initialized');
  await dc.initializeRequest();
  await dc.attachRequest({ mode: 'remote' });
  await initialized;
  assertDoctorSaid(outs, ['BP-OPT']);
  // main.main is never inlined: a function breakpoint on it binds in the
  // optimized build.
  const bps = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main.main' }] });
  assert.ok(bps.body.breakpoints[0].verified, `main.main: ${bps.body.breakpoints[0].message}`);
  const stopped = dc.waitForEvent('stopped');
  await dc.configurationDoneRequest();
  assert.strictEqual((await stopped).body.reason, 'function breakpoint');
  await dc.disconnectRequest({ terminateDebuggee: true });
  assert.strictEqual(await exitOf(srv.proc), 0, `headless dlvx failed:\n${srv.stderr()}`);
});
