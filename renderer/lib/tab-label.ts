/**
 * How a squeezed session tab cuts its title (TabBar.svelte). Tabs shrink to a 90 px stub, and a
 * plain end ellipsis turned "127.0.0.1:8080" and "127.0.0.1:8081" into the same "127.0.0…": the
 * port, which is what tells two sessions to one host apart, went first. A title that ends in a
 * port is therefore split so that the port is never cut. Where the tab has room, the host is cut
 * in its middle and keeps its last label (".1", ".20", ".com", ":1]"), so 192.168.1.10 and
 * 192.168.1.20 stay apart too; in the narrowest stub the host is cut at its end. Other titles
 * (profile names, "New session", conversations) keep the usual end ellipsis. Every tab's tooltip
 * and accessible name hold the whole title.
 */

/** A title in three pieces: `start` may be cut (ellipsis), `end` is kept where there is room, `keep` always. */
export interface TabLabelParts {
  start: string;
  end: string;
  keep: string;
}

/** A trailing port (":8080"), as formatEndpoint writes it and listener titles end (" :8080", with its space). */
const TRAILING_PORT = /^([\s\S]*?)(\s*:\d{1,5})$/;
/** The host's last label with its separator, when short: ".1", ".20", ".com", ":1]" (IPv6 in brackets). */
const LAST_LABEL = /([.:][^.:\s]{1,4}\]?)$/;

export function tabLabelParts(title: string): TabLabelParts {
  const port = TRAILING_PORT.exec(title);
  if (!port || port[1]!.length === 0) return { start: title, end: '', keep: '' };
  const head = port[1]!;
  const label = LAST_LABEL.exec(head);
  // The whole host being its last label ("[::1]" is not; ":1]" alone would be) leaves nothing to cut.
  if (!label || label[1]!.length >= head.length) return { start: head, end: '', keep: port[2]! };
  return { start: head.slice(0, head.length - label[1]!.length), end: label[1]!, keep: port[2]! };
}
