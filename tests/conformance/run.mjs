#!/usr/bin/env node
// Runs the conformance suite: starts the emulator once, runs every test/*.test.mjs with node's test runner
// against it, stops it. With IOTHUB_CONNECTION_STRING already set, runs against that hub instead (a real
// IoT hub, or an emulator someone started by hand) and starts nothing.
//
// Usage: node run.mjs [--configuration Release|Debug] [--tap <file>]
//   --tap   also write the TAP report there (build.ps1 counts results from it); the console gets spec output.
// Exit code: the test runner's, or 2 when the suite could not run at all.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');

// Node's service SDK builds https://<HostName>/… with no port, so only an emulator on 443 is reachable from it.
const requiredPort = 443;
// First start creates the CA and server certificate; on a busy 2-core machine that can take a while.
const startTimeoutMs = 120_000;
const stopTimeoutMs = 15_000;

const { values: options } = parseArgs({
  options: {
    configuration: { type: 'string', default: process.env.IOTLABKIT_CONFIGURATION ?? 'Release' },
    tap: { type: 'string' },
  },
});

class SuiteCannotRun extends Error {}

function testFiles() {
  const dir = join(here, 'test');
  // Explicit file list: `node --test <dir>` means different things in Node 20 and Node 22.
  return readdirSync(dir)
    .filter((name) => name.endsWith('.test.mjs'))
    .sort()
    .map((name) => join(dir, name));
}

function emulatorDll() {
  const dll = join(repoRoot, 'src', 'IotLabKit.Emulator', 'bin', options.configuration, 'net10.0', 'IotLabKit.Emulator.dll');
  if (!existsSync(dll)) {
    throw new SuiteCannotRun(
      `The emulator is not built: ${dll} does not exist. Build first (dotnet build IotLabKit.sln -c ${options.configuration}).`);
  }
  return dll;
}

/** Starts the emulator and resolves with its status JSON once the status file appears. */
function startEmulator(workDir) {
  const statusFile = join(workDir, 'status.json');
  const dataDir = join(workDir, 'data');
  const args = [emulatorDll(), '--in-memory', '--https-port', String(requiredPort), '--data-dir', dataDir,
    '--status-file', statusFile, '--host-name', 'localhost', '--parent-pid', String(process.pid)];
  const child = spawn('dotnet', args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  let output = '';
  const keep = (chunk) => { output = (output + chunk.toString()).slice(-20_000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  const ready = new Promise((resolveReady, rejectReady) => {
    let settled = false;
    const finish = (fn, value) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timer);
      fn(value);
    };
    const check = () => {
      if (!existsSync(statusFile)) return;
      try {
        finish(resolveReady, JSON.parse(readFileSync(statusFile, 'utf8')));
      } catch {
        // The emulator renames a complete file into place, so a parse failure means a torn read on an odd
        // file system; the next check reads it again.
      }
    };
    // The status file is the contract; stdout chunks and a light poll are just the moments to look for it.
    child.stdout.on('data', check);
    const poll = setInterval(check, 100);
    const timer = setTimeout(() => finish(rejectReady, new SuiteCannotRun(
      `The emulator wrote no status file within ${startTimeoutMs / 1000} s.\n${output}`)), startTimeoutMs);
    child.on('error', (err) => finish(rejectReady, new SuiteCannotRun(`Could not start 'dotnet': ${err.message}`)));
    child.on('exit', (code, signal) => finish(rejectReady, new SuiteCannotRun(
      `The emulator exited (${signal ?? `code ${code}`}) before it was ready. The suite needs port ${requiredPort} ` +
      `free and bindable (another emulator or web server on it? on Linux, root or net.ipv4.ip_unprivileged_port_start=${requiredPort}). ` +
      `Its output:\n${output}`)));
  });
  return { child, ready, output: () => output };
}

function stopEmulator(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, stopTimeoutMs);
    child.once('exit', () => { clearTimeout(timer); resolveStop(); });
    child.kill('SIGTERM');
  });
}

function runTests(env) {
  const args = ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout'];
  if (options.tap) {
    mkdirSync(dirname(resolve(options.tap)), { recursive: true });
    args.push('--test-reporter=tap', `--test-reporter-destination=${resolve(options.tap)}`);
  }
  args.push(...testFiles());
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env, cwd: here });
    child.on('exit', (code, signal) => resolveRun(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  if (!existsSync(join(here, 'node_modules', 'azure-iothub'))) {
    throw new SuiteCannotRun(`The SDKs are not installed: run 'npm ci' in ${here} first (build.ps1 -Task Test does).`);
  }
  if (process.env.IOTHUB_CONNECTION_STRING) {
    console.log('IOTHUB_CONNECTION_STRING is set: running against that hub; no emulator is started.');
    return runTests(process.env);
  }

  const workDir = mkdtempSync(join(tmpdir(), 'iotlabkit-conformance-'));
  const emulator = startEmulator(workDir);
  const onSignal = () => { emulator.child.kill('SIGKILL'); process.exit(130); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const status = await emulator.ready;
    if (status.httpsPort !== requiredPort) {
      throw new SuiteCannotRun(
        `The emulator could not bind port ${requiredPort} and listens on ${status.httpsPort}; Node's service SDK only dials ${requiredPort}. ` +
        'Free port 443 (is another emulator running?) or, on Linux, allow unprivileged binding: ' +
        'sudo sysctl net.ipv4.ip_unprivileged_port_start=443 (or run as root).');
    }
    console.log(`Emulator ready: pid ${status.pid}, https://${status.hostName}:${status.httpsPort}, storage ${status.storage}.`);
    const env = {
      ...process.env,
      IOTHUB_CONNECTION_STRING: status.serviceConnectionString,
      IOTLABKIT_STATUS_FILE: join(workDir, 'status.json'),
      NODE_EXTRA_CA_CERTS: status.caCertificatePath,
    };
    return await runTests(env);
  } finally {
    await stopEmulator(emulator.child);
    rmSync(workDir, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  if (!(err instanceof SuiteCannotRun)) throw err;
  console.error(`conformance: the suite could not run: ${err.message}`);
  process.exitCode = 2;
}
