// Appends many items to an array without spreading them into call arguments:
// `out.push(...items)` puts every item on the stack and overflows it ("Maximum call
// stack size exceeded") past about 100,000 items, which a large source file reaches.
export function pushAll<T>(to: T[], ...lists: readonly (readonly T[] | Iterable<T>)[]): T[] {
  for (const items of lists) for (const item of items) to.push(item);
  return to;
}
