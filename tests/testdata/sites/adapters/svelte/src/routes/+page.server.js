// Read per request on the server, never at build time.
export function load() {
  return { stage: process.env.SITE_STAGE ?? "unset" };
}
