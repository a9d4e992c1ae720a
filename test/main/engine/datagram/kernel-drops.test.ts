import { describe, expect, it } from 'vitest';
import { parseKernelDrops } from '../../../../main/engine/datagram/kernel-drops.ts';

// Rows as Linux prints them (drops is the last column).
const UDP4 = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  120: 0100007F:9A2B 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 123456 2 0000000000000000 0
  121: 00000000:0035 00000000:0000 07 00000000:0003F000 00:00000000 00000000     0        0 123457 2 0000000000000000 4310
`;
const UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  40: 00000000000000000000000001000000:C350 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 0000000000000000 7
`;

describe('parseKernelDrops', () => {
  it('finds the row by local port (hex) and reads its drops column', () => {
    expect(parseKernelDrops(UDP4, 0x9a2b)).toBe(0);
    expect(parseKernelDrops(UDP4, 53)).toBe(4310);
    expect(parseKernelDrops(UDP6, 50_000)).toBe(7);
  });

  it('is null for a port not listed or a malformed table', () => {
    expect(parseKernelDrops(UDP4, 1)).toBeNull();
    expect(parseKernelDrops('', 53)).toBeNull();
    expect(parseKernelDrops('header\n  1: 0100007F:0035 junk\n', 53)).toBeNull();
  });
});
