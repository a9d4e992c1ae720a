/**
 * Which Host and Port errors to show under their fields while the user types.
 *
 * Rules: a field's error shows as soon as its text is wrong (so "70000" is marked at once and
 * Connect is disabled); an empty field is named only after Connect was pressed (a fresh tab is not
 * a wall of red). A port written in the host text ("host:80") fills an empty Port field, as
 * `parseEndpoint` reads it, so that is not an error.
 */
import type { AppError } from '../../shared/errors.ts';
import { parseEndpoint, parseHost, parsePort } from '../../shared/endpoint.ts';

export interface EndpointInputErrors {
  host: AppError | null;
  port: AppError | null;
}

export function endpointInputErrors(host: string, port: string, connectPressed: boolean): EndpointInputErrors {
  const h = parseHost(host);
  const hostError = h.ok || (!connectPressed && host.trim() === '') ? null : h.error;
  let portError: AppError | null = null;
  if (port === '') {
    const portInHost = h.ok && h.value.port !== undefined;
    if (!portInHost && connectPressed) {
      const p = parsePort('');
      portError = p.ok ? null : p.error;
    }
  } else {
    const p = parsePort(port);
    if (!p.ok) portError = p.error;
    else if (h.ok) {
      // The one cross-field rule (a host "a:80" with Port "81") lives in parseEndpoint.
      const both = parseEndpoint(host, port);
      portError = both.ok ? null : both.error;
    }
  }
  return { host: hostError, port: portError };
}
