/**
 * How many datagrams the kernel dropped for one of our UDP sockets because its receive buffer was
 * full: the last column ("drops") of Linux's /proc/net/udp or /proc/net/udp6. No program sees these
 * datagrams, so this count is the only way a burst that outran us is not lost silently.
 *
 * Invariant: never throws; null where the system does not tell (not Linux, no /proc, socket not
 * listed). Our sockets bind their port exclusively, so the local port identifies the row within
 * the family's table.
 */
import { readFileSync } from 'node:fs';

/** Reads the drop count of the socket bound to `localPort` in `family`'s table, or null. */
export function readKernelDrops(family: 4 | 6, localPort: number): number | null {
  if (process.platform !== 'linux') return null;
  let text: string;
  try {
    text = readFileSync(family === 6 ? '/proc/net/udp6' : '/proc/net/udp', 'latin1');
  } catch {
    return null;
  }
  return parseKernelDrops(text, localPort);
}

/** Finds `localPort` in a /proc/net/udp{,6} table and returns its drops column, or null. */
export function parseKernelDrops(table: string, localPort: number): number | null {
  const port = localPort.toString(16).toUpperCase().padStart(4, '0');
  const lines = table.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const fields = lines[i]!.trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (fields.length < 13) continue;
    const local = fields[1]!;
    if (local.slice(local.lastIndexOf(':') + 1).toUpperCase() !== port) continue;
    const drops = Number(fields[fields.length - 1]);
    return Number.isSafeInteger(drops) && drops >= 0 ? drops : null;
  }
  return null;
}
