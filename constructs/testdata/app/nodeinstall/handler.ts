import { shout } from "shout";
import note from "./note.txt";

export const handler = async () => ({ statusCode: 200, body: shout(note + GREETING) });
