export const dynamic = "force-dynamic";

export default function Page() {
  return <h1>Hello from Next on sst ({process.env.SITE_STAGE})</h1>;
}
