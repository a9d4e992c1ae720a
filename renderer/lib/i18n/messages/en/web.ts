/** Web mode's own connection notices (WebConnectionNotice.svelte, lib/api/web-client.ts). */
export const web = {
  noTokenTitle: 'This address needs its access token',
  noTokenBefore: 'Web mode only serves a page opened from the exact address it printed when it started. That address ends in',
  noTokenAfter: ', a secret made for each start.',
  refusedTitle: 'The web server refused this page\'s token',
  refusedText: 'Each start of web mode makes a new token, so an address from an earlier start no longer works.',
  unreachableTitle: 'Cannot reach the Socket Tester web server',
  unreachableBefore: 'Nothing answers at',
  unreachableAfter: ': web mode is not running, or runs on another port.',
  howTo: 'To get an address that works, run this in a terminal and open the address it prints:',
  fromSource: 'From a source checkout:',
  itPrints: '. It prints',
  lostBefore: 'Lost the connection to the Socket Tester web server (it was stopped). What is shown stays readable; start',
  lostAfter: 'again and open the new address it prints.',
  notConnected: 'Not connected to the Socket Tester web server; reload the page.',
};
