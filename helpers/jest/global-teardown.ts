// PLACEHOLDER (lead, to be replaced by the server-lifecycle work).
export default async function globalTeardown(): Promise<void> {
  const child = (globalThis as Record<string, any>).__E2E_CHILD__;
  if (child) { child.kill('SIGTERM'); await child; }
}
