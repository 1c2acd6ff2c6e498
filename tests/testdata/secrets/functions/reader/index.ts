export async function handler() {
  return { version: process.env.SST_Parameter_value_API_VERSION, secret: process.env.SST_Secret_value_STRIPE_KEY };
}
