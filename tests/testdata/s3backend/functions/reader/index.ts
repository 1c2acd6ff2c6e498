export async function handler() {
  return { table: process.env.SST_Table_tableName_Items };
}
