import { describe, expect, it } from 'vitest';
import { MAX_SENT_HISTORY, pushSent, sentItem, type SentItem } from '../../../../renderer/lib/state/sent-history.ts';

const bytes = new Uint8Array([0x50, 0x49]);

describe('sent history', () => {
  it('an editor send keeps its payload (to put back) and labels itself with its text', () => {
    const payload = { text: 'x'.repeat(100), mode: 'text' as const, encoding: 'utf8' as const, lineEnding: 'lf' as const };
    const item = sentItem({ payload }, bytes, true, 5);
    expect(item).toEqual({ at: 5, bytes, payload, halfClose: true, label: 'x'.repeat(60) });
  });

  it('bytes from a file have a label and nothing to put back', () => {
    expect(sentItem({ label: 'file a.bin (2 bytes)' }, bytes, false, 7)).toEqual({ at: 7, bytes, payload: null, halfClose: false, label: 'file a.bin (2 bytes)' });
  });

  it('keeps the newest first and at most the bound', () => {
    let list: SentItem[] = [];
    for (let i = 0; i < MAX_SENT_HISTORY + 5; i++) list = pushSent(list, sentItem({ label: String(i) }, bytes, false, i));
    expect(list).toHaveLength(MAX_SENT_HISTORY);
    expect(list[0]!.label).toBe(String(MAX_SENT_HISTORY + 4));
    expect(list.at(-1)!.label).toBe('5');
  });
});
