import { Links, Meta, Outlet, Scripts } from "@remix-run/react";
import "./root.css";

export const links = () => [{ rel: "icon", href: "/favicon.svg" }];

export default function App() {
  return (
    <html>
      <head><Meta /><Links /></head>
      <body><Outlet /><Scripts /></body>
    </html>
  );
}
