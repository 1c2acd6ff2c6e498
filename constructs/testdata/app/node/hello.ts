import { greeting } from "./lib";

export async function handler(): Promise<{ statusCode: number; body: string }> {
  return { statusCode: 200, body: greeting(process.env.SST_STAGE ?? "") };
}
