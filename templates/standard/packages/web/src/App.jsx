import { useEffect, useState } from "react";

// The StaticSite construct sets VITE_API_URL to the Api's URL at build time;
// for `npm run dev`, put it in packages/web/.env.local.
const api = import.meta.env.VITE_API_URL;

export default function App() {
  const [notes, setNotes] = useState([]);
  const [content, setContent] = useState("");
  const [error, setError] = useState("");

  async function load() {
    const res = await fetch(`${api}/notes`);
    setNotes(await res.json());
  }

  async function add(e) {
    e.preventDefault();
    const res = await fetch(`${api}/notes`, { method: "POST", body: JSON.stringify({ content }) });
    if (!res.ok) {
      setError((await res.json()).error);
      return;
    }
    setContent("");
    setError("");
    load();
  }

  useEffect(() => {
    if (api) load().catch((e) => setError(String(e)));
  }, []);

  if (!api) return <p>VITE_API_URL is not set: deploy with sst, or set it in .env.local.</p>;
  return (
    <main>
      <h1>Notes</h1>
      <form onSubmit={add}>
        <input value={content} onChange={(e) => setContent(e.target.value)} placeholder="Write a note" />
        <button type="submit">Add</button>
      </form>
      {error && <p role="alert">{error}</p>}
      <ul>
        {notes.map((n) => (
          <li key={n.noteId}>{n.content}</li>
        ))}
      </ul>
    </main>
  );
}
