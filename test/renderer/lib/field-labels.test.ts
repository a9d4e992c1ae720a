import { describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../../shared/endpoint.ts';
import { uiMessage } from '../../../renderer/lib/field-labels.ts';
import { statusWords } from '../../../renderer/lib/state/status-words.ts';

describe('the UI labels field errors from the field, not the message', () => {
  it('Host and Port in front of the message, as the form names them', () => {
    const host = parseEndpoint('', '80');
    const port = parseEndpoint('example.com', '99999');
    if (host.ok || port.ok) throw new Error('expected errors');
    expect(uiMessage(host.error)).toBe('Host: enter a host name or address.');
    expect(uiMessage(port.error)).toBe('Port: 99999 is out of range; use 1 to 65535.');
  });

  it('the status badge shows the labelled message for a refused open', () => {
    const port = parseEndpoint('example.com', '0');
    if (port.ok) throw new Error('expected an error');
    expect(statusWords(null, port.error).label).toBe(`Error: Port: ${port.error.message}`);
  });

  it('a TLS option error gets the form label in place of the option name the engine starts it with', () => {
    expect(uiMessage({ field: 'certFile', message: 'certFile: a private key needs its client certificate file.' })).toBe(
      'Client certificate: a private key needs its client certificate file.',
    );
  });

  it('the TLS handshake is its own step in the badge', () => {
    const base = { phase: 'connecting', step: 'tls-handshake' } as unknown as Parameters<typeof statusWords>[0];
    expect(statusWords(base, null).label).toBe('TLS handshake…');
    expect(statusWords({ ...base!, step: 'tcp-connect' }, null).label).toBe('Connecting…');
  });
});
