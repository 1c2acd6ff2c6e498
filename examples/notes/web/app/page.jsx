// A server component: it runs in the site's server function, where the
// NextjsSite sets API_URL to the Api's URL.
export const dynamic = "force-dynamic";

async function addNote(formData) {
  "use server";
  await fetch(`${process.env.API_URL}/notes`, {
    method: "POST",
    body: JSON.stringify({ content: formData.get("content") }),
  });
  const { revalidatePath } = await import("next/cache");
  revalidatePath("/");
}

export default async function Page() {
  if (!process.env.API_URL) {
    return <p>API_URL is not set: deploy with sst, or set it in web/.env.local.</p>;
  }
  const res = await fetch(`${process.env.API_URL}/notes`, { cache: "no-store" });
  const notes = res.ok ? await res.json() : [];
  return (
    <main>
      <h1>Notes</h1>
      <form action={addNote}>
        <input name="content" placeholder="Write a note" />
        <button type="submit">Add</button>
      </form>
      <ul>
        {notes.map((n) => (
          <li key={n.id}>{n.content}</li>
        ))}
      </ul>
    </main>
  );
}
