#!/usr/bin/env node
// @ts-check
/**
 * `node scripts/warm-memory.js COMMAND`: runs COMMAND (with `sh -c`) on memory that costs what a
 * user's machine's does; `npm run bench` and `npm run bench:ui` run under it.
 *
 * Why: our machines are virtual (Firecracker). The host backs the guest's memory lazily, and the
 * guest hands free memory back to it (virtio free page reporting: free blocks of 2 MiB and up,
 * within seconds). A page whose memory went back costs the host a fault of its own the next time
 * it is touched. Measured here with a loop that writes 1 GiB pieces and keeps them: 8.7–10.6 µs a
 * page the first time, 1.4–1.6 µs after; a page fault on a real machine costs about the latter.
 * Which process meets the cold pages is luck: in one run of bench:ui listener, web mode took
 * 340 ms of system time for the 26,000 faults its 100 MiB cost while each CLI baseline process
 * took 90 ms for 23,000, because Chromium, started between them, had used up the pages the CLI
 * runs had warmed. The view took 4.9× the CLI's time then, 1.7–2.6× on warm memory.
 *
 * What it does: a child process touches SAMPLE_BYTES and times it. When a page costs more than
 * COLD_US_PER_PAGE, or the kernel reports free pages to a host (then memory freed during the run
 * would go cold whatever the sample says), memory is lazily backed: free page reporting is paused
 * (its order set above the largest block /proc/buddyinfo lists, where the kernel has the setting
 * and takes the value, and we may write it); only then does a child touch the memory the kernel
 * says is free but MARGIN_BYTES (free, not available: page cache is backed already and is never
 * pushed out), holding it until done (freed pages would only be handed back and touched again),
 * then exit. COMMAND runs (a shell command line); the setting is put back as it was, whatever
 * COMMAND did, on Ctrl-C or SIGTERM too (forwarded to COMMAND). When reporting cannot be paused,
 * nothing is warmed (touched pages would go back within seconds). Every step is bounded in time
 * (LIMIT_MS). On a machine whose memory is warm (any real one) it stops after the sample.
 * BENCH_WARM_MEMORY=off skips it; =force warms whatever the sample says. Prints what it measured
 * and changed; exits with COMMAND's status (128 + the signal's number when a signal ended it).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';

const GiB = 1024 ** 3;
const SAMPLE_BYTES = 1 * GiB;
const MARGIN_BYTES = 2 * GiB;
const PIECE_BYTES = 256 * 1024 * 1024;
const COLD_US_PER_PAGE = 4;
const LIMIT_MS = 240_000;
const PAGE = 4096;

/**
 * Child: touches `bytes` in pieces it keeps, then prints µs per page (wall time over pages).
 * `Buffer.allocUnsafeSlow` + `fill`: memory that is written, so every page is faulted in; a
 * zero-filled allocation (calloc, mmap) would leave pages untouched.
 */
const TOUCHER = `
const bytes = Number(process.argv[1]), piece = Number(process.argv[2]), limitMs = Number(process.argv[3]);
const kept = [];
const t0 = performance.now();
let done = 0;
while (done < bytes && performance.now() - t0 < limitMs) {
  const n = Math.min(piece, bytes - done);
  kept.push(Buffer.allocUnsafeSlow(n).fill(1));
  done += n;
}
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ bytes: done, ms, usPerPage: done > 0 ? (ms * 1000) / (done / ${PAGE}) : 0 }));
`;

/** @typedef {{ bytes: number, ms: number, usPerPage: number }} Touched */

/** The child running now (a toucher or COMMAND), for the signal handlers. */
/** @type {import('node:child_process').ChildProcess | null} */
let current = null;

/** @param {number} bytes @returns {Promise<Touched | null>} null when it failed or there was nothing to touch */
function touch(bytes) {
  if (!(bytes > 0)) return Promise.resolve(null);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', TOUCHER, String(bytes), String(PIECE_BYTES), String(LIMIT_MS)], { stdio: ['ignore', 'pipe', 'ignore'] });
    current = child;
    let out = '';
    /** @type {import('node:stream').Readable} */ (child.stdout).on('data', (d) => (out = (out + String(d)).slice(-4096)));
    const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS + 30_000);
    child.on('error', () => undefined);
    child.on('close', (code) => {
      clearTimeout(timer);
      current = null;
      try {
        const r = code === 0 ? JSON.parse(out) : null;
        resolve(r && r.bytes > 0 && Number.isFinite(r.usPerPage) ? r : null);
      } catch {
        resolve(null);
      }
    });
  });
}

/** A field of /proc/meminfo, bytes; null where there is none (not Linux). @param {string} name */
function meminfo(name) {
  try {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** @param {Touched} r */
const said = (r) => `${(r.bytes / GiB).toFixed(1)} GiB in ${(r.ms / 1000).toFixed(1)} s, ${r.usPerPage.toFixed(1)} µs a page`;

/** The kernel's free page reporting setting (Linux 5.14+ with a virtio balloon that reports). */
const REPORTING_ORDER = '/sys/module/page_reporting/parameters/page_reporting_order';

/**
 * The largest free block's order: /proc/buddyinfo lists one count per order (11 columns, orders
 * 0 to 10, on x86_64 with 4 KiB pages; more on arm64 with 16 KiB or 64 KiB pages). 10 when unknown.
 */
function topOrder() {
  try {
    const line = readFileSync('/proc/buddyinfo', 'utf8').split('\n').find((l) => l.includes('zone'));
    const counts = line ? line.replace(/^.*zone\s+\S+/, '').trim().split(/\s+/).length : 0;
    return counts > 0 ? counts - 1 : 10;
  } catch {
    return 10;
  }
}

/** @returns {string | null} the free page reporting order, or null where the kernel has no such setting */
function reportingOrder() {
  try {
    return readFileSync(REPORTING_ORDER, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The pause in force: the setting to put back, once. */
/** @type {string | null} */
let toRestore = null;

/** @returns {{ paused: true, was: string } | { paused: false, why: string }} */
function pauseReporting() {
  const was = reportingOrder();
  if (was === null) return { paused: false, why: 'the kernel has no such setting' };
  const top = topOrder();
  // Another run's pause (or a kernel that never reports): nothing to pause, nothing of ours to put back.
  if (Number(was) > top) return { paused: true, was: '' };
  try {
    writeFileSync(REPORTING_ORDER, String(top + 1));
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code ?? String(err);
    return { paused: false, why: code === 'EACCES' || code === 'EPERM' ? `${code}: root only` : `${code}: the kernel refused order ${top + 1}` };
  }
  toRestore = was;
  console.log(`memory warm-up: free page reporting to the host paused (order ${was} → ${top + 1}); if this process is killed, \`echo ${was} > ${REPORTING_ORDER}\` as root puts it back`);
  return { paused: true, was };
}

function restoreReporting() {
  const was = toRestore;
  if (was === null) return;
  toRestore = null;
  try {
    writeFileSync(REPORTING_ORDER, was);
    console.log(`memory warm-up: free page reporting back to order ${was}`);
  } catch (err) {
    console.log(`memory warm-up: could not put free page reporting back to order ${was} (${err instanceof Error ? err.message : String(err)}); \`echo ${was} > ${REPORTING_ORDER}\` as root does`);
  }
}

/** Signals we pass on to the running child; each also means "put the setting back, then go". */
const SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);
/** @type {NodeJS.Signals | null} */
let stoppedBy = null;

async function warm() {
  const setting = process.env.BENCH_WARM_MEMORY;
  if (setting === 'off') return void console.log('memory warm-up: off (BENCH_WARM_MEMORY=off)');
  const free = meminfo('MemFree');
  if (free === null) return void console.log('memory warm-up: skipped (no /proc/meminfo: not Linux)');
  const force = setting === 'force';
  const reporting = reportingOrder();
  // Free page reporting on: whatever the sample says now, memory freed during the run goes back.
  const reportingOn = reporting !== null && Number(reporting) <= topOrder();
  const sample = force ? null : await touch(SAMPLE_BYTES);
  if (!force && sample === null) return void console.log('memory warm-up: skipped (the 1 GiB sample could not be touched)');
  if (sample && sample.usPerPage <= COLD_US_PER_PAGE && !reportingOn) {
    return void console.log(`memory warm-up: not needed, fresh pages cost what a real machine's do (sample: ${said(sample)})`);
  }
  const why = sample ? `fresh pages cost ${sample.usPerPage.toFixed(1)} µs each (sample: ${said(sample)})${reportingOn ? ', and free pages are reported to the host' : ''}: memory the host backs lazily (a VM)` : 'forced';
  const pause = pauseReporting();
  if (!pause.paused && !force) {
    return void console.log(`memory warm-up: ${why}; free page reporting could not be paused (${pause.why}), so warmed pages would go back within seconds: not warmed, figures will be noisier`);
  }
  const warmed = await touch((meminfo('MemFree') ?? free) - MARGIN_BYTES);
  if (stoppedBy) return void console.log(`memory warm-up: stopped by ${stoppedBy}`);
  const after = await touch(SAMPLE_BYTES);
  console.log(
    `memory warm-up: ${why}; ${pause.paused ? (pause.was ? '' : 'free page reporting was paused already (another run); ') : `free page reporting not paused (${pause.why}); `}` +
      `touched ${warmed ? said(warmed) : 'nothing (too little free memory, or the toucher failed)'} of ${(free / GiB).toFixed(1)} GiB free; ` +
      `a sample after: ${after ? said(after) : 'failed'}`,
  );
}

async function main() {
  const command = process.argv.slice(2).join(' ');
  if (!command) {
    console.error('usage: node scripts/warm-memory.js COMMAND');
    process.exit(2);
  }
  // Installed before anything is paused: a Ctrl-C during the warm-up still puts the setting back.
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      stoppedBy ??= signal;
      // A terminal's Ctrl-C reaches the whole group already; a kill of this process alone is passed on.
      current?.kill(signal);
    });
  }
  process.on('exit', restoreReporting);
  try {
    await warm();
    if (stoppedBy) return void (process.exitCode = 128 + constants.signals[stoppedBy]);
    const child = spawn(command, { stdio: 'inherit', shell: true });
    current = child;
    const status = await new Promise((resolve) => {
      child.on('error', (err) => {
        console.error(`memory warm-up: could not run the command: ${err.message}`);
        resolve(127);
      });
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + constants.signals[signal] : 1)));
    });
    current = null;
    process.exitCode = stoppedBy && status === 0 ? 128 + constants.signals[stoppedBy] : /** @type {number} */ (status);
  } finally {
    restoreReporting();
  }
}

await main();
