// Drives `dlvx dap` over TCP with the DAP client of VS Code's own adapter
// tests. Run by `go test ./cmd/dlvx -run TestDAPWithVSCodeClient`, which
// builds dlvx and the fixtures and passes, in the environment:
//   DLVX            the dlvx binary
//   WORKER_BIN      _fixtures/worker built with -gcflags=all=-N -l
//   WORKER_SRC      the worker's main.go
//   WORK_BODY_LINE  the line marked "dlvx:mark work-body" in it
'use strict';

const { test } = require('node:test');
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const { once } = require('node:events');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through go test ./cmd/dlvx`);
  return v;
};
const DLVX = env('DLVX');
const WORKER_BIN = env('WORKER_BIN');
const WORKER_SRC = env('WORKER_SRC');
const WORK_BODY_LINE = Number(env('WORK_BODY_LINE'));

// startProcess runs a command and resolves with the process and the first
// stdout line matching re, once it is printed. Later lines go to lines.
function startProcess(cmd, args, re) {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const rl = readline.createInterface({ input: proc.stdout });
  return new Promise((resolve, reject) => {
    let match = null;
    rl.on('line', (line) => {
      lines.push(line);
      const m = match === null && line.match(re);
      if (m) {
        match = m;
        resolve({ proc, match: m, lines, stderr: () => stderr });
      }
    });
    proc.on('exit', (code) => {
      if (match === null) reject(new Error(`${cmd} ${args.join(' ')} exited ${code} before printing ${re}:\n${stderr}`));
    });
  });
}

// startDAP runs `dlvx dap` on loopback and connects a DebugClient to it.
async function startDAP(t) {
  const srv = await startProcess(DLVX, ['dap', '--listen', '127.0.0.1:0'], /DAP server listening at: 127\.0\.0\.1:(\d+)/);
  t.after(() => srv.proc.kill());
  const dc = new DebugClient('unused', 'unused', 'go');
  await dc.start(Number(srv.match[1]));
  return { dc, srv };
}

// exitOf resolves with a process's exit code, now or when it exits.
async function exitOf(proc) {
  if (proc.exitCode !== null) return proc.exitCode;
  const [code] = await once(proc, 'exit');
  return code;
}

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
