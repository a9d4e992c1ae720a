import { describe, expect, it } from 'vitest';
import { endpointInputErrors } from '../../../renderer/lib/endpoint-inputs.ts';

describe('endpointInputErrors', () => {
  it('marks a wrong port at once, under Port', () => {
    const e = endpointInputErrors('127.0.0.1', '70000', false);
    expect(e.host).toBeNull();
    expect(e.port?.field).toBe('port');
    expect(e.port?.message).toMatch(/70000 is out of range/);
  });

  it('names empty fields only after Connect was pressed', () => {
    expect(endpointInputErrors('', '', false)).toEqual({ host: null, port: null });
    const pressed = endpointInputErrors('', '', true);
    expect(pressed.host?.field).toBe('host');
    expect(pressed.port?.field).toBe('port');
  });

  it('shows the port error even while the host is empty and not yet required', () => {
    const e = endpointInputErrors('', '99999', false);
    expect(e.host).toBeNull();
    expect(e.port?.message).toMatch(/99999 is out of range/);
  });

  it('accepts a port written in the host when Port is empty, and flags a conflict under Port', () => {
    expect(endpointInputErrors('example.com:80', '', true)).toEqual({ host: null, port: null });
    expect(endpointInputErrors('example.com:80', '81', false).port?.message).toMatch(/includes port 80, but the port is 81/);
  });

  it('marks a wrong host at once', () => {
    expect(endpointInputErrors('a b', '80', false).host?.field).toBe('host');
  });
});
