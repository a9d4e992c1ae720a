// @ts-check
/**
 * The environment of a user's machine, for every child process a bench starts. NODE_EXTRA_CA_CERTS
 * (set in our CI and sandboxes, unset on a user's machine) makes every Node start load a CA bundle,
 * 40-75 ms here: it would slow every Node child, hide our own start-up cost, and fail a
 * whole-process comparison with nc on its own. The start-up bench puts it back for rows it prints
 * as info only.
 */
export const USER_ENV = (() => {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
})();
