/**
 * Pagination checks for OpenAI-style lists ({data: [{id}], has_more?, first_id?, last_id?}): a page
 * holds at most `limit` items, no id appears twice across pages, and the pages read in the same
 * order as the unpaginated list.
 */
export interface Page {
  data: { id: string }[];
  has_more?: boolean;
}

export function paginationProblems(full: Page, pages: readonly Page[], limit: number): string[] {
  const problems: string[] = [];
  const order = full.data.map((x) => x.id);
  const seen = new Set<string>();
  let cursor = -1;
  pages.forEach((page, p) => {
    if (page.data.length > limit) problems.push(`page ${p + 1} has ${page.data.length} items, more than limit=${limit}`);
    for (const { id } of page.data) {
      if (seen.has(id)) problems.push(`page ${p + 1} repeats id ${id}`);
      seen.add(id);
      const at = order.indexOf(id);
      if (at === -1) problems.push(`page ${p + 1} has id ${id}, which the unpaginated list does not`);
      else if (at <= cursor) problems.push(`page ${p + 1} has id ${id} out of order (position ${at} after ${cursor})`);
      else cursor = at;
    }
    const isLast = p === pages.length - 1;
    if (!isLast && page.has_more === false) problems.push(`page ${p + 1} says has_more=false but the next page has items`);
  });
  return problems;
}
