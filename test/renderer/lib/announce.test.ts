import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Announcer } from '../../../renderer/lib/announce.ts';

describe('Announcer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('says the first message at once, then at most one per gap: the latest', () => {
    const said: string[] = [];
    const a = new Announcer((t) => said.push(t), 1000, () => Date.now());
    a.say('Connecting…');
    expect(said).toEqual(['Connecting…']);
    a.say('Connected');
    a.say('Closed by peer. 12 bytes received.');
    expect(said).toEqual(['Connecting…']);
    vi.advanceTimersByTime(999);
    expect(said).toEqual(['Connecting…']);
    vi.advanceTimersByTime(1);
    expect(said).toEqual(['Connecting…', 'Closed by peer. 12 bytes received.']);
    vi.advanceTimersByTime(5000);
    a.say('Connecting…');
    expect(said).toHaveLength(3);
  });

  it('never repeats the same words in a row, and ignores empty ones', () => {
    const said: string[] = [];
    const a = new Announcer((t) => said.push(t), 1000, () => Date.now());
    a.say('Idle');
    vi.advanceTimersByTime(2000);
    a.say('Idle');
    a.say('');
    vi.advanceTimersByTime(2000);
    expect(said).toEqual(['Idle']);
  });

  it('dispose drops what is pending', () => {
    const said: string[] = [];
    const a = new Announcer((t) => said.push(t), 1000, () => Date.now());
    a.say('one');
    a.say('two');
    a.dispose();
    vi.advanceTimersByTime(5000);
    expect(said).toEqual(['one']);
  });
});
