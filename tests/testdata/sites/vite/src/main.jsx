import { createRoot } from "react-dom/client";
import "./style.css";

function App() {
  return (
    <main>
      <h1>Hello from sst</h1>
      <p id="api">API: {import.meta.env.VITE_API_URL}</p>
      <p id="stage">Stage: {import.meta.env.VITE_STAGE}</p>
    </main>
  );
}

createRoot(document.getElementById("root")).render(<App />);
