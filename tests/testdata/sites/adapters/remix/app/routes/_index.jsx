import { useLoaderData } from "@remix-run/react";

// Read per request on the server, never at build time.
export const loader = () => ({ stage: process.env.SITE_STAGE ?? "unset" });

export default function Index() {
  const { stage } = useLoaderData();
  return <h1>{`Hello from remix on ${stage}`}</h1>;
}
