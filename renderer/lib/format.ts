/**
 * Small, pure formatting helpers for the UI. Numbers go through Intl with the UI's language, and
 * the words around them through its messages, so they follow the language switch.
 */
import { locale, t } from './i18n/index.ts';

// Intl formatters are costly to build and the UI formats thousands of numbers: one per language.
const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(fractionDigits: number | null): Intl.NumberFormat {
  const l = locale();
  const id = `${l}|${fractionDigits}`;
  let f = cache.get(id);
  if (!f) {
    f = new Intl.NumberFormat(l, fractionDigits === null ? {} : { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
    cache.set(id, f);
  }
  return f;
}

/** Exact byte count with the language's thousands separators: "104,857,600". */
export function formatCount(n: number): string {
  return numberFormat(null).format(n);
}

/** A number with a fixed count of decimals, in the language's notation. */
export function formatFixed(n: number, digits: number): string {
  return numberFormat(digits).format(n);
}

/** Human size with binary units: "100.0 MiB". */
export function formatSize(n: number): string {
  if (n < 1024) return t('format.bytes', { n: formatCount(n) });
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${formatFixed(v, 1)} ${units[i]}`;
}

/** Rate per second: "12.3 MiB/s". */
export function formatRate(bytesPerSecond: number): string {
  return t('format.perSecond', { size: formatSize(Math.round(bytesPerSecond)) });
}

/** A step's or a run's time: "250 ms" under a second, else as {@link formatDuration} ("1.25 s"; 毫秒 and 秒 in Chinese). */
export function formatElapsed(ms: number): string {
  return ms < 1000 ? t('format.milliseconds', { n: formatCount(Math.round(ms)) }) : formatDuration(ms);
}

/** Duration as "0.42 s", "12.3 s", "4 min 05 s" (Chinese: "0.42 秒", "4 分 05 秒"). */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return t('format.secondsShort', { n: formatFixed(ms / 1000, 2) });
  if (ms < 60_000) return t('format.secondsShort', { n: formatFixed(ms / 1000, 1) });
  const min = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return t('format.minutesSeconds', { min: formatCount(min), s: String(s).padStart(2, '0') });
}

/**
 * Wall-clock time with milliseconds for transcripts: "14:03:07.125". The same 24-hour digits in
 * every language we speak (Intl would add a day period in some), so columns stay aligned.
 */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
