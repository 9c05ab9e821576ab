/**
 * Binary search over a sorted list: the first index whose item is not `before` the sought
 * position (`before` must hold for a prefix of the list and fail for the rest).
 */
export function partitionPoint<T>(items: readonly T[], before: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(items[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
