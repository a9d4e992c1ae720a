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
 * would go cold whatever the sample says), memory is lazily backed: free page reporting is paused (its order set above
 * the largest block, where the kernel has the setting and we may write it), a child touches all of
 * the memory the kernel says is available but MARGIN_BYTES, holding it until done (freed pages
 * would only be handed back and touched again), then exits; COMMAND runs; the setting is put back
 * as it was, whatever COMMAND did. Every step is bounded in time (LIMIT_MS). On a machine whose
 * memory is warm (any real one) it stops after the sample, so it never pushes a developer's page
 * cache out. BENCH_WARM_MEMORY=off skips it; =force warms without looking at the sample. Prints
 * what it measured and changed; exits with COMMAND's status.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

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
process.stdout.write(JSON.stringify({ bytes: done, ms, usPerPage: (ms * 1000) / (done / ${PAGE}) }));
`;

/** @param {number} bytes @returns {{ bytes: number, ms: number, usPerPage: number } | null} */
function touch(bytes) {
  const r = spawnSync(process.execPath, ['-e', TOUCHER, String(bytes), String(PIECE_BYTES), String(LIMIT_MS)], {
    encoding: 'utf8',
    timeout: LIMIT_MS + 30_000,
    maxBuffer: 1024 * 1024,
  });
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout);
  } catch {
    return null;
  }
}

/** MemAvailable from /proc/meminfo, bytes; null where there is none (not Linux). */
function availableBytes() {
  try {
    const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** @param {{ bytes: number, ms: number, usPerPage: number }} r */
const said = (r) => `${(r.bytes / GiB).toFixed(1)} GiB in ${(r.ms / 1000).toFixed(1)} s, ${r.usPerPage.toFixed(1)} µs a page`;

/** The kernel's free page reporting setting (Linux 5.14+ with a virtio balloon that reports). */
const REPORTING_ORDER = '/sys/module/page_reporting/parameters/page_reporting_order';
/** Above the largest free block the kernel keeps (order 10): nothing is reported. */
const NO_REPORTING_ORDER = '11';

/** @returns {string | null} the free page reporting order, or null where the kernel has no such setting */
function reportingOrder() {
  try {
    return readFileSync(REPORTING_ORDER, 'utf8').trim();
  } catch {
    return null;
  }
}

/** @returns {string | null} the setting as it was, or null when it is not there or not ours to write */
function pauseReporting() {
  const was = reportingOrder();
  if (was === null) return null;
  try {
    writeFileSync(REPORTING_ORDER, NO_REPORTING_ORDER);
    return was;
  } catch {
    return null;
  }
}

/** @param {string} was */
function restoreReporting(was) {
  try {
    writeFileSync(REPORTING_ORDER, was);
    console.log(`memory warm-up: free page reporting back to order ${was}`);
  } catch (err) {
    console.log(`memory warm-up: could not put free page reporting back to order ${was} (${err instanceof Error ? err.message : String(err)}); \`echo ${was} > ${REPORTING_ORDER}\` as root does`);
  }
}

/** @returns {string | null} the reporting setting to put back after the command */
function warm() {
  const setting = process.env.BENCH_WARM_MEMORY;
  if (setting === 'off') {
    console.log('memory warm-up: off (BENCH_WARM_MEMORY=off)');
    return null;
  }
  const available = availableBytes();
  if (available === null) {
    console.log('memory warm-up: skipped (no /proc/meminfo: not Linux)');
    return null;
  }
  // Free page reporting on: whatever the sample says now, memory freed during the run goes back.
  const reporting = reportingOrder();
  const reportingOn = reporting !== null && Number(reporting) <= 10;
  const sample = setting === 'force' ? null : touch(SAMPLE_BYTES);
  if (sample && sample.usPerPage <= COLD_US_PER_PAGE && !reportingOn) {
    console.log(`memory warm-up: not needed, fresh pages cost what a real machine's do (sample: ${said(sample)})`);
    return null;
  }
  const was = pauseReporting();
  const warmed = touch(Math.max(0, available - MARGIN_BYTES));
  const after = touch(SAMPLE_BYTES);
  console.log(
    `memory warm-up: ${sample ? `fresh pages cost ${sample.usPerPage.toFixed(1)} µs each (sample: ${said(sample)}; over ${COLD_US_PER_PAGE} µs, or free pages reported to the host: memory the host backs lazily, a VM); ` : 'forced; '}` +
      (was !== null
        ? `free page reporting to the host paused (order ${was} → ${NO_REPORTING_ORDER}) until the command ends; `
        : 'free page reporting could not be paused (no such setting, or not root): warm pages may go cold again during the run, so figures are noisier; ') +
      `touched ${warmed ? said(warmed) : 'nothing (the toucher failed)'} of ${(available / GiB).toFixed(1)} GiB available; ` +
      `a sample after: ${after ? said(after) : 'failed'}`,
  );
  return was;
}

function main() {
  const command = process.argv.slice(2).join(' ');
  if (!command) {
    console.error('usage: node scripts/warm-memory.js COMMAND');
    process.exit(2);
  }
  const was = warm();
  // The command gets the terminal's Ctrl-C itself; we wait for it, then put the setting back.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  const r = spawnSync('sh', ['-c', command], { stdio: 'inherit' });
  if (was !== null) restoreReporting(was);
  process.exit(r.status ?? 1);
}

main();
