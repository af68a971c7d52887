/** Placeholder until scripts/measure-harness.ts lands; replaced below. */
export async function measureHarnessCost(_python: string): Promise<Record<string, number | string | null>> {
  throw new Error('harness cost: scripts/measure-harness.ts is not in the tree yet');
}
