import { isServer } from "solid-js/web";

// The stage is read at request time on the server; the browser keeps the
// server-rendered text instead of reading an environment it does not have.
// One expression as the only child, so the text has no hydration markers
// inside it.
export default function Home() {
  const stage = isServer ? process.env.SITE_STAGE : "";
  return (
    <main>
      <h1>{`Hello from solidstart on ${stage}`}</h1>
    </main>
  );
}
