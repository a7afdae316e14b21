export const templateDatabaseName = () => `cg_template_${process.env.CIVICGRID_TEST_RUN_ID ?? "default"}`;

export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
