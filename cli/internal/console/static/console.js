// Live feeds of the SST Console: the server renders each event as a table
// row; this only inserts them.
"use strict";

function stream(url, event, tbody, prepend, onState) {
  const es = new EventSource(url);
  es.addEventListener(event, (e) => {
    const t = document.createElement("tbody");
    t.innerHTML = e.data;
    for (const row of Array.from(t.children)) {
      // A poll may return a row the page already shows.
      const id = row.dataset.id;
      if (id && tbody.querySelector(`tr[data-id="${CSS.escape(id)}"]`)) continue;
      if (prepend) tbody.prepend(row);
      else tbody.append(row);
    }
  });
  es.addEventListener("problem", (e) => onState && onState(e.data));
  es.onopen = () => onState && onState("live");
  es.onerror = () => onState && onState("reconnecting…");
  return es;
}

document.addEventListener("DOMContentLoaded", () => {
  const feed = document.getElementById("feed");
  if (feed) stream(feed.dataset.src, "invocation", feed.querySelector("tbody"), true);

  const tail = document.getElementById("tail");
  if (tail) {
    let es = null;
    const state = document.getElementById("tail-state");
    tail.addEventListener("click", () => {
      if (es) {
        es.close();
        es = null;
        tail.textContent = "Live tail";
        state.textContent = "";
        return;
      }
      tail.textContent = "Stop tail";
      const rows = document.querySelector("#log-events tbody");
      es = stream(tail.dataset.src, "log", rows, false, (s) => (state.textContent = s));
    });
  }
});
