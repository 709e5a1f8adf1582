// Helpers the test files share: processes, the DAP client against dlvx,
// and what the doctor said in a session.
'use strict';

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

// startProcess runs a command and resolves with the process and the first
// stdout line matching re, once it is printed. Later lines go to lines.
// opts are spawn's (cwd).
function startProcess(cmd, args, re, opts = {}) {
  const proc = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
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
// opts are spawn's: vscode-go starts the debugger in the workspace folder
// (cwd).
async function startDAP(t, opts = {}) {
  const srv = await startProcess(env('DLVX'), ['dap', '--listen', '127.0.0.1:0'], /DAP server listening at: 127\.0\.0\.1:(\d+)/, opts);
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

// outputsOf collects a client's output events from now on.
function outputsOf(dc) {
  const outs = [];
  dc.on('output', (e) => outs.push(e.body));
  return outs;
}

// assertDoctorSaid checks that each finding ID has one important line of
// its own and an explanation in the debug console.
function assertDoctorSaid(outs, ids) {
  const important = outs.filter((o) => o.category === 'important').map((o) => o.output);
  const consoleText = outs.filter((o) => o.category === 'console').map((o) => o.output).join('');
  for (const line of important) {
    assert.strictEqual(line.trimEnd().includes('\n'), false, `important output of several lines: ${line}`);
  }
  for (const id of ids) {
    assert.ok(important.some((l) => l.includes(id)), `no important output names ${id}: ${JSON.stringify(important)}`);
    assert.match(consoleText, new RegExp(`${id} (warning|error): `), `the debug console does not explain ${id}`);
  }
}

// launchOnly initializes and launches, without configurationDone: the
// process waits while breakpoints are set.
async function launchOnly(dc, args) {
  const initialized = dc.waitForEvent('initialized');
  await dc.initializeRequest();
  await dc.launchRequest(args);
  await initialized;
}

module.exports = { env, startProcess, startDAP, exitOf, outputsOf, assertDoctorSaid, launchOnly };
