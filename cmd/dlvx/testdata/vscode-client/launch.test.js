// The launch lint through VS Code's DAP client: each mistake in a launch
// configuration, the finding in the Debug Console before Delve builds or
// starts anything, and the corrected configuration then debugging. Run by
// `go test ./cmd/dlvx -run TestDAPLaunchLintWithVSCodeClient`, which passes:
//   DLVX            the dlvx binary
//   WORKER_DIR      _fixtures/worker, the source (copied as the editor's workspace)
//   WORKER_BIN      the worker built there with -gcflags=all=-N -l
//   WORK_BODY_LINE  the line marked "dlvx:mark work-body" in its main.go
//   BUILDTAGS_DIR   _fixtures/buildtags: feature_on.go only with -tags feature
//   FEATURE_ON_LINE, FEATURE_OFF_LINE  the lines marked feature-on and feature-off
//   GOTEST_DIR      _fixtures/gotest: Step and TestStep, and TestOther, which fails
//   STEP_BODY_LINE  the line marked step-body in its step.go
// The request arguments are what vscode-go sends once it has resolved
// launch.json (goDebugConfiguration.ts): mode auto made debug, program made
// relative to __buildDir, where it starts the debugger, and its defaults.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { env, startDAP, exitOf, outputsOf, assertDoctorSaid, launchOnly } = require('./client.js');

const WORKER_DIR = env('WORKER_DIR');
const WORKER_BIN = env('WORKER_BIN');
const WORK_BODY_LINE = Number(env('WORK_BODY_LINE'));
const BUILDTAGS_DIR = env('BUILDTAGS_DIR');
const FEATURE_ON_LINE = Number(env('FEATURE_ON_LINE'));
const FEATURE_OFF_LINE = Number(env('FEATURE_OFF_LINE'));
const GOTEST_DIR = env('GOTEST_DIR');
const STEP_BODY_LINE = Number(env('STEP_BODY_LINE'));

// workspace copies a fixture's source (the worker's by default): the
// editor's checkout, somewhere else than where WORKER_BIN was built.
function workspace(t, dir = WORKER_DIR) {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dlvx-ws-'));
  t.after(() => fs.rmSync(ws, { recursive: true, force: true }));
  fs.cpSync(dir, ws, { recursive: true });
  return ws;
}

// vscodeArgs are the arguments vscode-go sends for a configuration with
// these attributes.
function vscodeArgs(attrs) {
  return {
    type: 'go', request: 'launch', __sessionId: 'dlvx-test', debugAdapter: 'dlv-dap', dlvToolPath: env('DLVX'),
    packagePathToGoModPathMap: {}, showRegisters: false, showGlobalVariables: false, substitutePath: [],
    showLog: false, logOutput: 'debugger', dlvFlags: [], hideSystemGoroutines: false, env: {},
    ...attrs,
  };
}

// "Launch Package" of the workspace, as vscode-go resolves it.
const launchPackage = (ws, attrs) => vscodeArgs({ name: 'Launch Package', mode: 'debug', program: '.', __buildDir: ws, ...attrs });
// A test configuration of the workspace's package.
const launchTest = (ws, attrs) => vscodeArgs({ name: 'Debug TestStep', mode: 'test', program: '.', __buildDir: ws, ...attrs });
// An exec configuration of the prebuilt worker.
const launchBinary = (attrs) => vscodeArgs({ name: 'Launch Binary', mode: 'exec', program: WORKER_BIN, ...attrs });

// lintSaid returns the lint's important lines (led by dlvx doctor, naming
// a launch configuration finding).
const lintSaid = (outs) => outs.filter((o) => o.category === 'important' && /ENV-IDECONF-/.test(o.output)).map((o) => o.output);

// endSession disconnects and checks that dlvx dap exits cleanly.
async function endSession(dc, srv) {
  await dc.disconnectRequest({ terminateDebuggee: true });
  assert.strictEqual(await exitOf(srv.proc), 0, `dlvx dap failed:\n${srv.stderr()}`);
}

test('-trimpath in buildFlags: the lint speaks before the build; without it the breakpoint binds and is hit', { timeout: 120_000 }, async (t) => {
  const ws = workspace(t);
  const location = { path: path.join(ws, 'main.go'), line: WORK_BODY_LINE };
  {
    const { dc, srv } = await startDAP(t, { cwd: ws });
    const outs = outputsOf(dc);
    // VS Code reports progress: the build shows as one, ended before the
    // launch response.
    const progress = progressOf(dc);
    const initialized = dc.waitForEvent('initialized');
    await dc.initializeRequest({ adapterID: 'go', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsProgressReporting: true });
    await dc.launchRequest(launchPackage(ws, { buildFlags: '-trimpath' }));
    assert.deepStrictEqual(progress.map((p) => p.event), ['progressStart', 'progressEnd'], `progress events: ${JSON.stringify(progress)}`);
    assert.match(progress[0].body.title, /^Building /);
    assert.strictEqual(progress[1].body.progressId, progress[0].body.progressId);
    await initialized;
    assertDoctorSaid(outs, ['ENV-IDECONF-TRIMPATH']);
    const lintAt = outs.findIndex((o) => o.category === 'important' && o.output.includes('ENV-IDECONF-TRIMPATH'));
    const buildAt = outs.findIndex((o) => o.output.startsWith('Building '));
    assert.ok(buildAt > lintAt, `Delve's "Building" (output ${buildAt}) does not follow the lint (output ${lintAt})`);
    assert.match(outs.map((o) => o.output).join(''), /evidence: dap:launch\.arguments\.buildFlags /, 'the evidence does not name the request attribute');
    // What VS Code and dlv show without the lint: an unverified breakpoint.
    const bp = (await dc.setBreakpointsRequest({ source: { path: location.path }, breakpoints: [{ line: location.line }] })).body.breakpoints[0];
    // One toast for the one cause: the lint's, not the doctor's BP-TRIMPATH
    // on the build nor Delve's trimpath warning on top.
    const toasts = outs.filter((o) => o.category === 'important' && /trimpath/i.test(o.output));
    assert.deepStrictEqual(toasts.map((o) => o.output.match(/(ENV|BP)-[A-Z-]+/)?.[0] ?? o.output), ['ENV-IDECONF-TRIMPATH']);
    assert.strictEqual(bp.verified, false, 'the editor path bound in a -trimpath build');
    console.log(`-trimpath: unverified breakpoint: ${bp.message}`);
    await endSession(dc, srv);
  }
  const { dc, srv } = await startDAP(t, { cwd: ws });
  const outs = outputsOf(dc);
  const progress = progressOf(dc);
  await dc.hitBreakpoint(launchPackage(ws, {}), location);
  assert.deepStrictEqual(lintSaid(outs), [], 'the corrected configuration still draws findings');
  assert.deepStrictEqual(progress, [], 'progress sent to a client that does not report it');
  await endSession(dc, srv);
});

// progressOf collects a client's progress events from now on.
function progressOf(dc) {
  const events = [];
  for (const name of ['progressStart', 'progressUpdate', 'progressEnd']) dc.on(name, (e) => events.push(e));
  return events;
}

test('a wrong substitutePath on an exec launch: the lint gives the rule; with it the breakpoint binds and is hit', { timeout: 90_000 }, async (t) => {
  const ws = workspace(t);
  const location = { path: path.join(ws, 'main.go'), line: WORK_BODY_LINE };
  let rule;
  {
    const { dc, srv } = await startDAP(t, { cwd: ws });
    const outs = outputsOf(dc);
    await launchOnly(dc, launchBinary({ substitutePath: [{ from: ws, to: '/go/src/worker' }] }));
    assertDoctorSaid(outs, ['ENV-IDECONF-SUBPATH']);
    const detail = outs.filter((o) => o.category === 'console').map((o) => o.output).join('');
    const m = detail.match(/substitutePath \(from = editor, to = binary\):\n\s+(\{.*\})/);
    assert.ok(m, `no corrected rule in the Debug Console:\n${detail}`);
    rule = JSON.parse(m[1]);
    assert.deepStrictEqual(rule, { from: '${workspaceFolder}', to: WORKER_DIR }, 'the rule does not map the workspace onto the build directory');
    const bp = (await dc.setBreakpointsRequest({ source: { path: location.path }, breakpoints: [{ line: location.line }] })).body.breakpoints[0];
    assert.strictEqual(bp.verified, false, 'the breakpoint bound through the wrong rule');
    console.log(`wrong substitutePath: unverified breakpoint: ${bp.message}`);
    // The explainer judges the editor's path, not the one the wrong rule
    // made of it: its rule is the lint's, ${workspaceFolder} expanded.
    assert.match(bp.message, /^dlvx: BP-PATH: /, 'the unverified breakpoint has no BP-PATH verdict');
    const fix = bp.message.match(/fix: launch\.json: "substitutePath": (\[.*\])/);
    assert.ok(fix, `no substitutePath fix in the verdict:\n${bp.message}`);
    assert.deepStrictEqual(JSON.parse(fix[1]), [{ from: ws, to: rule.to }], 'the breakpoint verdict and the launch lint propose different rules');
    assert.ok(bp.message.includes(`the session's rules map the editor's ${location.path} to /go/src/worker/main.go`), `the verdict does not name the wrong rule:\n${bp.message}`);
    await endSession(dc, srv);
  }
  // The user pastes the rule into launch.json; VS Code expands it.
  rule.from = rule.from.replace('${workspaceFolder}', ws);
  const { dc, srv } = await startDAP(t, { cwd: ws });
  const outs = outputsOf(dc);
  await dc.hitBreakpoint(launchBinary({ substitutePath: [rule] }), location);
  assert.deepStrictEqual(lintSaid(outs), [], 'the corrected rule still draws findings');
  await endSession(dc, srv);
});

test('Restart after adding -tags to buildFlags: the lint says Delve rebuilds without them; a new session builds with them', { timeout: 120_000 }, async (t) => {
  const ws = workspace(t, BUILDTAGS_DIR);
  const on = { path: path.join(ws, 'feature_on.go'), line: FEATURE_ON_LINE };
  const off = { path: path.join(ws, 'feature_off.go'), line: FEATURE_OFF_LINE };
  {
    const { dc, srv } = await startDAP(t, { cwd: ws });
    const outs = outputsOf(dc);
    await launchOnly(dc, launchPackage(ws, {}));
    const bp = (await dc.setBreakpointsRequest({ source: { path: off.path }, breakpoints: [{ line: off.line }] })).body.breakpoints[0];
    assert.ok(bp.verified, `feature_off.go: ${bp.message}`);
    const stopped = dc.assertStoppedLocation('breakpoint', off);
    await dc.configurationDoneRequest();
    await stopped;
    assert.deepStrictEqual(lintSaid(outs), [], 'the launch drew findings');
    // The user adds the tag to launch.json and presses Restart: VS Code
    // sends the configuration it resolves again.
    const initialized = dc.waitForEvent('initialized');
    const progress = progressOf(dc); // not asked for: none
    await dc.send('restart', { arguments: launchPackage(ws, { buildFlags: '-tags=feature' }) });
    await initialized;
    assert.deepStrictEqual(progress, [], 'progress sent to a client that does not report it');
    assertDoctorSaid(outs, ['ENV-IDECONF-RESTART']);
    assert.match(outs.map((o) => o.output).join(''), /evidence: dap:restart\.arguments\.buildFlags +configuration "Launch Package": the session was launched with \(none\), the restart asks for "-tags=feature"/);
    // What VS Code and dlv show: the rebuilt program still lacks the tagged file.
    const after = (await dc.setBreakpointsRequest({ source: { path: on.path }, breakpoints: [{ line: on.line }] })).body.breakpoints[0];
    assert.strictEqual(after.verified, false, 'the restart built with the new buildFlags');
    console.log(`restart with new buildFlags: unverified breakpoint: ${after.message}`);
    // After the restart the breakpoint is still explained, against the
    // restarted process's binary: the file's build constraint, the tags
    // the binary was built with.
    assert.match(after.message, /^dlvx: BP-NOTINBIN: /, 'no verdict on an unverified breakpoint after the restart');
    assert.match(after.message, /\/\/go:build feature/, 'the verdict does not give the build constraint');
    assert.match(after.message, /-tags=""/, 'the verdict does not give the binary\'s tags');
    assert.strictEqual(srv.stderr().includes('explain breakpoint'), false, `the explainer failed:\n${srv.stderr()}`);
    await endSession(dc, srv);
  }
  const { dc, srv } = await startDAP(t, { cwd: ws });
  const outs = outputsOf(dc);
  await dc.hitBreakpoint(launchPackage(ws, { buildFlags: '-tags=feature' }), on);
  assert.deepStrictEqual(lintSaid(outs), [], 'the new session drew findings');
  await endSession(dc, srv);
});

test('go test flags in the args of a test configuration: the lint speaks; the test binary exits 2; with the fixed args the breakpoint is hit', { timeout: 120_000 }, async (t) => {
  const ws = workspace(t, GOTEST_DIR);
  const location = { path: path.join(ws, 'step.go'), line: STEP_BODY_LINE };
  let args;
  {
    const { dc, srv } = await startDAP(t, { cwd: ws });
    const outs = outputsOf(dc);
    await launchOnly(dc, launchTest(ws, { args: ['-run', 'TestStep', '-v'] }));
    assertDoctorSaid(outs, ['ENV-IDECONF-TESTFLAG-ARGS']);
    const detail = outs.filter((o) => o.category === 'console').map((o) => o.output).join('');
    const m = detail.match(/fix: launch\.json: "args": (\[.*\])/);
    assert.ok(m, `no corrected args in the Debug Console:\n${detail}`);
    args = JSON.parse(m[1]);
    assert.deepStrictEqual(args, ['-test.run', 'TestStep', '-test.v']);
    // What VS Code and dlv show: the session ends, the test binary's status 2.
    const bp = (await dc.setBreakpointsRequest({ source: { path: location.path }, breakpoints: [{ line: location.line }] })).body.breakpoints[0];
    assert.ok(bp.verified, `step.go: ${bp.message}`);
    const exited = dc.waitForEvent('exited');
    await dc.configurationDoneRequest();
    const code = (await exited).body.exitCode;
    assert.strictEqual(code, 2, 'the test binary did not reject -run');
    console.log(`go test flags in args: the session ended, exit status ${code}, breakpoint never hit`);
    await endSession(dc, srv);
  }
  const { dc, srv } = await startDAP(t, { cwd: ws });
  const outs = outputsOf(dc);
  await dc.hitBreakpoint(launchTest(ws, { args }), location);
  assert.deepStrictEqual(lintSaid(outs), [], 'the fixed args still draw findings');
  await endSession(dc, srv);
});
