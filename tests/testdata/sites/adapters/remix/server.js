import { createRequestHandler } from "@remix-run/architect";
import * as build from "./build/server/remix.mjs";

export const handler = createRequestHandler({ build });
