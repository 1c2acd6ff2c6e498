export async function handler(event: { response: { autoConfirmUser?: boolean } }) {
  event.response.autoConfirmUser = true;
  return event;
}
